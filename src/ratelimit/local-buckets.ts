import { LRUCache } from "lru-cache";
import type { Clock } from "../clock.js";
import {
  type AbuseRule,
  BLOCK_MEMORY_MS,
  type BucketRequest,
  type BucketStore,
  blockMs,
  type TakeResult,
} from "./buckets.js";
import { gcraStep, type Window } from "./gcra.js";

interface Entry {
  tats: (number | undefined)[];
  strikes: number;
  strikesUntilMs: number;
  level: number;
  levelUntilMs: number;
  blockedUntilMs: number;
}

/** Options for {@link createLocalBuckets}. */
export interface LocalBucketsOptions {
  /** Keys remembered (LRU); a forgotten key starts with a full bucket. */
  maxKeys: number;
  /**
   * Replicas sharing the limit when each decides alone: every window's quota and capacity is
   * divided by it (at least 1), so N replicas together stay near the limit.
   */
  replicas: number;
}

/** Buckets in this process, the same GCRA and abuse rule as the Redis script. Never rejects. */
export function createLocalBuckets(
  deps: { clock: Clock },
  options: LocalBucketsOptions,
): BucketStore & { size(): number } {
  const entries = new LRUCache<string, Entry>({ max: options.maxKeys });
  const share = (window: Window): Window => ({
    ...window,
    quota: Math.max(1, window.quota / options.replicas),
    capacity: Math.max(1, Math.floor(window.capacity / options.replicas)),
  });
  // A limit's windows are the same array on every take: its shares are made once.
  const shares = new WeakMap<readonly Window[], Window[]>();
  const sharesOf = (windows: readonly Window[]) => {
    const found = shares.get(windows);
    if (found) return found;
    const made = windows.map(share);
    shares.set(windows, made);
    return made;
  };
  return {
    async take(request: BucketRequest): Promise<TakeResult> {
      const nowMs = deps.clock.now().getTime();
      const windows = sharesOf(request.windows);
      const entry = entries.get(request.key) ?? fresh();
      entries.set(request.key, entry);
      if (request.abuse && entry.blockedUntilMs > nowMs) {
        const left = entry.blockedUntilMs - nowMs;
        const window = windows[0] as Window;
        return {
          allowed: false,
          window,
          remaining: 0,
          retryAfterUs: left * 1000,
          resetUs: 0,
          blockedMs: left,
        };
      }
      const { result, tats } = gcraStep(windows, entry.tats, nowMs * 1000);
      if (tats) entry.tats = tats;
      const blocked = !result.allowed && request.abuse ? strike(entry, request.abuse, nowMs) : 0;
      return blocked > 0
        ? { ...result, retryAfterUs: blocked * 1000, blockedMs: blocked }
        : { ...result, blockedMs: 0 };
    },
    size: () => entries.size,
  };
}

const fresh = (): Entry => ({
  tats: [],
  strikes: 0,
  strikesUntilMs: 0,
  level: 0,
  levelUntilMs: 0,
  blockedUntilMs: 0,
});

/** Counts a refusal; returns the block's length (ms) when it starts one, else 0. */
function strike(entry: Entry, rule: AbuseRule, nowMs: number): number {
  if (entry.strikesUntilMs <= nowMs) {
    entry.strikes = 0;
    entry.strikesUntilMs = nowMs + rule.strikeWindowMs;
  }
  entry.strikes++;
  if (entry.strikes < rule.blockAfter) return 0;
  entry.level = entry.levelUntilMs > nowMs ? entry.level + 1 : 1;
  entry.levelUntilMs = nowMs + BLOCK_MEMORY_MS;
  const ms = Math.floor(blockMs(rule, entry.level));
  entry.blockedUntilMs = nowMs + ms;
  entry.strikes = 0;
  entry.strikesUntilMs = 0;
  return ms;
}

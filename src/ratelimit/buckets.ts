import type { GcraResult, Window } from "./gcra.js";

/**
 * Temporary blocks for a key that keeps being refused: `blockAfter` refusals within
 * `strikeWindowMs` block it for `firstBlockMs`, doubling with each new block while the previous
 * one is remembered (a day), up to `longestBlockMs`.
 */
export interface AbuseRule {
  blockAfter: number;
  strikeWindowMs: number;
  firstBlockMs: number;
  longestBlockMs: number;
}

/** One request taken from a key's buckets. */
export interface TakeResult extends GcraResult {
  /** > 0: the key is blocked for this many ms more (the request is refused). */
  blockedMs: number;
}

/** A key's limits: its windows and, for client addresses, the abuse rule. */
export interface BucketRequest {
  /** Storage key; for Redis it carries a `{hash tag}` so all its keys share a cluster slot. */
  key: string;
  windows: readonly Window[];
  abuse?: AbuseRule;
}

/** Where buckets live: Redis (shared by every replica) or this process. */
export interface BucketStore {
  /**
   * Takes one request from every window of `request.key`, atomically. Rejects when the store
   * cannot answer (Redis down, slow, garbage); the limiter then falls back.
   */
  take(request: BucketRequest): Promise<TakeResult>;
}

/** How long the block of `level` (1 for the first) lasts, ms. */
export const blockMs = (rule: AbuseRule, level: number) =>
  Math.min(rule.firstBlockMs * 2 ** (level - 1), rule.longestBlockMs);

/** How long a remembered block level lasts: a day. */
export const BLOCK_MEMORY_MS = 86_400_000;

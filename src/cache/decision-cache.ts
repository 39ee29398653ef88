import { LRUCache } from "lru-cache";
import type { Clock } from "../clock.js";
import type { Evaluation } from "../policy/index.js";
import type { KeyedDocument } from "./cache-key.js";

/** Where a decision came from: the cache, a fresh evaluation, or no cache at all. */
export type CacheStatus = "hit" | "miss" | "bypass";

/** A cache shared between replicas (Redis). Implementations never throw and answer in budget. */
export interface SharedDecisionStore {
  /** The stored policy result, or undefined (absent, unavailable or too slow). */
  get(key: string): Promise<{ result: unknown } | undefined>;
  /** Stores without waiting; failures are counted, not raised. */
  set(key: string, value: { result: unknown }, ttlMs: number): void;
}

/** Options resolved from the `cache` config section. */
export interface DecisionCacheOptions {
  /** Entry lifetime, ms. */
  ttlMs: number;
  maxEntries: number;
  /** Memory bound, bytes: keys and results (UTF-16) plus per-entry bookkeeping. */
  maxBytes: number;
  /** HTTP methods whose decisions may be cached. */
  methods: string[];
}

/** What {@link createDecisionCache} works with. */
export interface DecisionCacheDeps {
  /** Key of an input document under a policy (its {@link CacheRequest.policyId}). */
  key(input: KeyedDocument, policyId: string): string;
  /** Entries age by its wall time; none outlives the credential's expiry. */
  clock: Clock;
  shared?: SharedDecisionStore;
  events: CacheEvents;
}

/** What the decision cache tells metrics. */
export interface CacheEvents {
  hit(source: "local" | "shared"): void;
  miss(): void;
  evicted(): void;
}

/** Per-request facts the cache needs. */
export interface CacheRequest {
  method: string;
  /** Changes whenever the policy does: entries of other policies are never used. */
  policyId: string;
  /** When the caller's credential expires; entries never outlive it. */
  credentialExpiresAtMs?: number;
}

/** The read-decision cache. */
export interface DecisionCache {
  /**
   * The policy result for `input`: cached when the method is cacheable and an entry exists
   * (locally, else in the shared store), otherwise `evaluate()`d once for all concurrent
   * identical requests (single flight) and stored. Only defined results are stored; an
   * evaluation error propagates and stores nothing.
   */
  decide(
    input: KeyedDocument,
    request: CacheRequest,
    evaluate: () => Promise<Evaluation>,
  ): Promise<{ evaluation: Evaluation; cache: CacheStatus }>;
  /** Drops every local entry (revocation, policy change). */
  clear(): void;
  /** Local entries. */
  size(): number;
}

/** The cache, empty. Nothing to close (no timers); `clear()` empties it. */
export function createDecisionCache(
  deps: DecisionCacheDeps,
  options: DecisionCacheOptions,
): DecisionCache {
  const now = () => deps.clock.now().getTime();
  const local = new LRUCache<string, { result: unknown }>({
    perf: { now },
    ttlResolution: 0,
    max: options.maxEntries,
    maxSize: options.maxBytes,
    // What an entry really holds: its key, its result, and ~200 bytes of object and LRU bookkeeping.
    sizeCalculation: (entry, key) =>
      key.length * 2 + (JSON.stringify(entry.result)?.length ?? 0) * 2 + 200,
    dispose: (_value, _key, reason) => {
      if (reason === "evict") deps.events.evicted();
    },
  });
  const methods = new Set(options.methods);
  const inFlight = new Map<string, Promise<{ evaluation: Evaluation; cache: CacheStatus }>>();

  const ttlFor = (request: CacheRequest) =>
    Math.min(options.ttlMs, (request.credentialExpiresAtMs ?? Number.POSITIVE_INFINITY) - now());

  async function fill(
    key: string,
    request: CacheRequest,
    evaluate: () => Promise<Evaluation>,
  ): Promise<{ evaluation: Evaluation; cache: CacheStatus }> {
    const shared = await deps.shared?.get(key);
    const ttl = ttlFor(request);
    if (shared) {
      deps.events.hit("shared");
      if (ttl > 0) local.set(key, shared, { ttl });
      return { evaluation: { defined: true, value: shared.result }, cache: "hit" };
    }
    deps.events.miss();
    const evaluation = await evaluate();
    if (evaluation.defined && ttl > 0) {
      const entry = { result: evaluation.value };
      local.set(key, entry, { ttl });
      deps.shared?.set(key, entry, ttl);
    }
    return { evaluation, cache: "miss" };
  }

  return {
    async decide(input, request, evaluate) {
      if (!methods.has(request.method)) return { evaluation: await evaluate(), cache: "bypass" };
      const key = deps.key(input, request.policyId);
      const cached = local.get(key);
      if (cached) {
        deps.events.hit("local");
        return { evaluation: { defined: true, value: cached.result }, cache: "hit" };
      }
      const pending = inFlight.get(key);
      if (pending) return { evaluation: (await pending).evaluation, cache: "hit" };
      const filling = fill(key, request, evaluate).finally(() => inFlight.delete(key));
      inFlight.set(key, filling);
      return filling;
    },
    clear: () => local.clear(),
    size: () => local.size,
  };
}

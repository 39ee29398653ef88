import { LRUCache } from "lru-cache";
import type { Clock } from "../clock.js";

/**
 * Remembers credentials that verified, so a token or certificate presented again skips the
 * signature check (jose's WebCrypto verify costs ~0.2 ms). An entry is used only while the key
 * set or bundle it was verified against is still the one serving (rotation or removal of a key
 * re-verifies), never past the credential's own expiry, and at most `maxAgeMs`.
 */
export interface VerifiedCache<V> {
  /** The cached value, if `keysFor(value)` is still the key set it was verified against. */
  get(credential: string, keysFor: (value: V) => object | undefined): V | undefined;
  set(credential: string, keys: object, value: V, expiresAtMs: number): void;
}

/** Options for {@link createVerifiedCache}. */
export interface VerifiedCacheOptions {
  /** Most entries (LRU eviction). 0 disables the cache. */
  max: number;
  /** Longest an entry is trusted, ms. */
  maxAgeMs: number;
}

/** The cache; entries age by `deps.clock` (wall time). */
export function createVerifiedCache<V extends object>(
  deps: { clock: Clock },
  options: VerifiedCacheOptions,
): VerifiedCache<V> {
  if (options.max === 0) return { get: () => undefined, set: () => {} };
  const now = () => deps.clock.now().getTime();
  const cache = new LRUCache<string, { keys: object; value: V }>({
    max: options.max,
    perf: { now },
    ttlResolution: 0,
  });
  return {
    get(credential, keysFor) {
      const entry = cache.get(credential);
      return entry && keysFor(entry.value) === entry.keys ? entry.value : undefined;
    },
    set(credential, keys, value, expiresAtMs) {
      const ttl = Math.min(expiresAtMs - now(), options.maxAgeMs);
      if (ttl > 0) cache.set(credential, { keys, value }, { ttl });
    },
  };
}

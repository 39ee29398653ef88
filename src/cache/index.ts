export { createCacheKey, DEFAULT_IGNORED_PATHS } from "./cache-key.js";
export { type CacheStatus, createDecisionCache, type DecisionCache } from "./decision-cache.js";
export { createRedisDecisionStore, type RedisFailure } from "./redis-store.js";

export { createCacheKey, DEFAULT_IGNORED_PATHS } from "./cache-key.js";
export {
  type CacheEvents,
  type CacheRequest,
  type CacheStatus,
  createDecisionCache,
  type DecisionCache,
  type DecisionCacheOptions,
  type SharedDecisionStore,
} from "./decision-cache.js";
export { createRedisDecisionStore, type RedisCommands, type RedisFailure } from "./redis-store.js";

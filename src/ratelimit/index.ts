export type { AbuseRule, BucketStore } from "./buckets.js";
export type { Window } from "./gcra.js";
export { createRateLimiter, type RateLimiter, type RateLimiterOptions } from "./limiter.js";
export { createLocalBuckets } from "./local-buckets.js";
export { createRedisBuckets, type RedisScripting } from "./redis-buckets.js";
export type { RateVerdict } from "./verdict.js";

import { systemClock } from "../clock.js";
import type { Config } from "../config/index.js";
import {
  createLocalBuckets,
  createRateLimiter,
  createRedisBuckets,
  type RateLimiter,
  type RateLimiterOptions,
  type RedisScripting,
  type Window,
} from "../ratelimit/index.js";

type RateLimitConfig = Config["rateLimit"];
type TierConfig = RateLimitConfig["tiers"][string];

/** A tier's windows: minute, and hour and day when set; each bucket holds quota × burst. */
export function tierWindows(
  tier: Pick<TierConfig, "burst" | "perMinute"> & Partial<TierConfig>,
): Window[] {
  const windows: Array<[string, number | undefined, number]> = [
    ["minute", tier.perMinute, 60_000],
    ["hour", tier.perHour, 3_600_000],
    ["day", tier.perDay, 86_400_000],
  ];
  return windows.flatMap(([name, quota, windowMs]) =>
    quota === undefined
      ? []
      : [{ name, quota, windowMs, capacity: Math.max(1, Math.floor(quota * tier.burst)) }],
  );
}

/** The `rateLimit` section resolved into the limiter's options. */
export function rateLimiterOptions(config: Config): RateLimiterOptions {
  const limits = config.rateLimit;
  const address = limits.perAddress;
  return {
    tiers: Object.fromEntries(
      Object.entries(limits.tiers).map(([name, tier]) => [name, tierWindows(tier)]),
    ),
    tenants: limits.tenants,
    defaultTier: limits.defaultTier,
    tenantFrom: limits.tenantFrom,
    ...(address.enabled
      ? {
          address: {
            windows: tierWindows(address),
            abuse: {
              blockAfter: address.blockAfter,
              strikeWindowMs: 60_000,
              firstBlockMs: address.blockFor,
              longestBlockMs: Math.max(address.blockFor, address.maxBlockFor),
            },
          },
        }
      : {}),
    trustedProxies: address.trustedProxies,
    keyPrefix: config.cache.redis?.keyPrefix ?? "openclaw-authz:",
    failMode: limits.failMode,
    retryIntervalMs: limits.retryInterval,
  };
}

/**
 * The rate limiter for `rateLimit` (undefined when disabled): buckets in Redis shared by every
 * replica when `cache.redis` is set, local buckets (1/`replicas` of each quota) as the fallback.
 */
export function createRateLimit(
  config: Config,
  deps: { redis?: RedisScripting; onFailure(failure: string, error: Error): void },
): RateLimiter | undefined {
  if (!config.rateLimit.enabled) return undefined;
  const shared = deps.redis
    ? createRedisBuckets(
        { redis: deps.redis },
        {
          budgetMs: config.rateLimit.budget,
          // A Redis Cluster runs a script on one hash slot: there, one call per key.
          oneCallPerTurn: config.cache.redis?.cluster === undefined,
        },
      )
    : undefined;
  const local = createLocalBuckets(
    { clock: systemClock },
    { maxKeys: config.rateLimit.localMaxKeys, replicas: config.rateLimit.replicas },
  );
  return createRateLimiter(
    { ...(shared ? { shared } : {}), local, clock: systemClock, onFailure: deps.onFailure },
    rateLimiterOptions(config),
  );
}

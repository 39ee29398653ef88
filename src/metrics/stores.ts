import type { Define } from "./define.js";
import { each } from "./define.js";
import { CACHE_SOURCES, REDIS_FAILURE_SERIES } from "./labels.js";
import type { AuthzMetrics } from "./sidecar-metrics.js";

/** The decision cache, Redis, revocations and the decision-log sinks. */
export function storeMetrics(
  define: Define,
): Pick<
  AuthzMetrics,
  | "cache"
  | "observeCacheSize"
  | "countRedisFailure"
  | "countRevocation"
  | "countSuspicious"
  | "countRateLimit"
  | "decisionLog"
> {
  const hits = define.counter(
    "cache_hits_total",
    "Decisions served from the cache, by source (local, shared).",
    ["source"],
    each("source", CACHE_SOURCES),
  );
  const misses = define.counter(
    "cache_misses_total",
    "Cacheable decisions that had to be evaluated.",
  );
  const evictions = define.counter(
    "cache_evictions_total",
    "Cached decisions evicted to stay within bounds.",
  );
  let cacheSize: () => number = () => 0;
  define.gauge("cache_entries", "Decisions in the local cache.", "sum", [], function () {
    this.set(cacheSize());
  });
  const redisFailures = define.counter(
    "redis_failures_total",
    "Redis calls that timed out, failed or answered garbage.",
    ["purpose", "failure"],
    REDIS_FAILURE_SERIES,
  );
  const revocations = define.counter("revocations_applied_total", "Revocations applied.");
  const suspicious = define.counter(
    "suspicious_requests_total",
    "Requests carrying something ignored as untrustworthy.",
  );
  const rateLimits = define.counter(
    "ratelimit_checks_total",
    "Rate limit verdicts by scope (tenant, address), tier, outcome (allowed, limited, blocked, unavailable) and source (redis, local: this replica's fallback buckets, none: failMode allow).",
    ["scope", "tier", "outcome", "source"],
  );
  // An event that could not be built reaches no sink: it is dropped by "all".
  const logEvents = define.counter(
    "decision_log_events_total",
    "Decision log events by sink and outcome (written, dropped).",
    ["sink", "outcome"],
    [{ sink: "all", outcome: "dropped" }],
  );
  const logErrors = define.counter(
    "decision_log_errors_total",
    "Failed decision log writes by sink.",
    ["sink"],
  );
  return {
    cache: {
      hit: (source) => hits.inc({ source }),
      miss: () => misses.inc(),
      evicted: () => evictions.inc(),
    },
    observeCacheSize(size) {
      cacheSize = size;
    },
    countRedisFailure: (purpose, failure) => redisFailures.inc({ purpose, failure }),
    countRevocation: () => revocations.inc(),
    countSuspicious: () => suspicious.inc(),
    countRateLimit: ({ scope, tier, outcome, source }) =>
      rateLimits.inc({ scope, tier, outcome, source }),
    decisionLog: {
      opened(sink) {
        logEvents.inc({ sink, outcome: "written" }, 0);
        logEvents.inc({ sink, outcome: "dropped" }, 0);
        logErrors.inc({ sink }, 0);
      },
      written: (sink, count) => logEvents.inc({ sink, outcome: "written" }, count),
      dropped: (sink, count) => logEvents.inc({ sink, outcome: "dropped" }, count),
      failed: (sink) => logErrors.inc({ sink }),
    },
  };
}

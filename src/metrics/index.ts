import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { DecisionRecord } from "../authz/index.js";
import type { RateVerdict } from "../ratelimit/index.js";

/** The sidecar's Prometheus metrics, on a registry of its own (never prom-client's default). */
export interface AuthzMetrics {
  readonly registry: Registry;
  /** Counts and times one finished decision. */
  observeDecision(record: DecisionRecord): void;
  /** A bundle was loaded and is serving. */
  policyLoaded(revision: string): void;
  /** A bundle was refused (the previous one keeps serving), naming builtins it lacked. */
  bundleRefused(missingBuiltins?: string[]): void;
  /** An evaluation thread was terminated and replaced, by reason (deadline, died). */
  threadReplaced(reason: string): void;
  /** Counts a Check the gRPC layer rejected before the pipeline (bad payload, too large). */
  countRejected(reason: string): void;
  /** Decision cache events. */
  cache: { hit(source: "local" | "shared"): void; miss(): void; evicted(): void };
  /** Reports the number of cached decisions when scraped. */
  observeCacheSize(size: () => number): void;
  /** A Redis call that did not help (timeout, error, garbage), by purpose. */
  countRedisFailure(purpose: string, failure: string): void;
  /** A revocation was applied (from Redis, pub/sub or the file). */
  countRevocation(): void;
  /** One rate limit verdict, by scope, tier, outcome and who decided (redis, local, none). */
  countRateLimit(verdict: RateVerdict): void;
  /** Something suspicious was ignored (e.g. a proxy header from a stranger). */
  countSuspicious(): void;
  /** Decision log sink events. */
  decisionLog: {
    written(sink: string, count: number): void;
    dropped(sink: string, count: number): void;
    failed(sink: string): void;
  };
}

const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
];

/** Creates the metrics. All names are prefixed `openclaw_authz_`. */
export function createMetrics(): AuthzMetrics {
  const registry = new Registry();
  const decisions = new Counter({
    name: "openclaw_authz_decisions_total",
    help: "Check decisions by outcome (allow, deny, error) and, for errors, error code.",
    labelNames: ["outcome", "code"],
    registers: [registry],
  });
  // One child per label pair, bound once: prom-client hashes the labels on every other call.
  const decisionChildren = new Map<string, ReturnType<typeof decisions.labels>>();
  const decisionCounter = (outcome: string, code: string) => {
    const key = `${outcome} ${code}`;
    let child = decisionChildren.get(key);
    if (!child) {
      child = decisions.labels({ outcome, code });
      decisionChildren.set(key, child);
    }
    return child;
  };
  const checkDuration = new Histogram({
    name: "openclaw_authz_check_duration_seconds",
    help: "Time to answer one Check, from decode to response.",
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const evalDuration = new Histogram({
    name: "openclaw_authz_policy_eval_duration_seconds",
    help: "Time spent in the WebAssembly policy evaluation of one Check.",
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const policyLoaded = new Gauge({
    name: "openclaw_authz_policy_loaded",
    help: "1 while a policy is loaded and serving.",
    registers: [registry],
  });
  const bundleInfo = new Gauge({
    name: "openclaw_authz_bundle_info",
    help: "1 for the revision serving now.",
    labelNames: ["revision"],
    registers: [registry],
  });
  const bundleLoads = new Counter({
    name: "openclaw_authz_bundle_loads_total",
    help: "Bundle loads by outcome (loaded, refused).",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const missingBuiltins = new Gauge({
    name: "openclaw_authz_bundle_missing_builtins",
    help: "1 for each builtin the last refused bundle calls that this sidecar does not provide; cleared when a bundle loads.",
    labelNames: ["builtin"],
    registers: [registry],
  });
  const threadsReplaced = new Counter({
    name: "openclaw_authz_evaluation_threads_replaced_total",
    help: "Evaluation threads terminated and replaced: an evaluation ran past policy.evaluationTimeout (deadline) or the thread died.",
    labelNames: ["reason"],
    registers: [registry],
  });
  const rejected = new Counter({
    name: "openclaw_authz_rejected_requests_total",
    help: "Check calls rejected by the gRPC layer before evaluation, by reason.",
    labelNames: ["reason"],
    registers: [registry],
  });
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name: `openclaw_authz_${name}`, help, labelNames, registers: [registry] });
  const cacheHits = counter(
    "cache_hits_total",
    "Decisions served from the cache, by source (local, shared).",
    ["source"],
  );
  const cacheMisses = counter(
    "cache_misses_total",
    "Cacheable decisions that had to be evaluated.",
  );
  const cacheEvictions = counter(
    "cache_evictions_total",
    "Cached decisions evicted to stay within bounds.",
  );
  const redisFailures = counter(
    "redis_failures_total",
    "Redis calls that timed out, failed or answered garbage.",
    ["purpose", "failure"],
  );
  const revocations = counter("revocations_applied_total", "Revocations applied.");
  const suspicious = counter(
    "suspicious_requests_total",
    "Requests carrying something ignored as untrustworthy.",
  );
  const logEvents = counter(
    "decision_log_events_total",
    "Decision log events by sink and outcome (written, dropped).",
    ["sink", "outcome"],
  );
  const logErrors = counter("decision_log_errors_total", "Failed decision log writes by sink.", [
    "sink",
  ]);
  const rateLimits = counter(
    "ratelimit_checks_total",
    "Rate limit verdicts by scope (tenant, address), tier, outcome (allowed, limited, blocked, unavailable) and source (redis, local: this replica's fallback buckets, none: failMode allow).",
    ["scope", "tier", "outcome", "source"],
  );
  let cacheSize: () => number = () => 0;
  new Gauge({
    name: "openclaw_authz_cache_entries",
    help: "Decisions in the local cache.",
    registers: [registry],
    collect() {
      this.set(cacheSize());
    },
  });
  return {
    registry,
    cache: {
      hit: (source) => cacheHits.inc({ source }),
      miss: () => cacheMisses.inc(),
      evicted: () => cacheEvictions.inc(),
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
      written: (sink, count) => logEvents.inc({ sink, outcome: "written" }, count),
      dropped: (sink, count) => logEvents.inc({ sink, outcome: "dropped" }, count),
      failed: (sink) => logErrors.inc({ sink }),
    },
    observeDecision(record) {
      const outcome = record.error ? "error" : record.allowed ? "allow" : "deny";
      decisionCounter(outcome, record.error?.code ?? "").inc();
      const total = record.metrics.timer_server_handler_ns;
      if (total !== undefined) checkDuration.observe(total / 1e9);
      const evaluation = record.metrics.timer_eval_ns;
      if (evaluation !== undefined) evalDuration.observe(evaluation / 1e9);
    },
    policyLoaded(revision) {
      policyLoaded.set(1);
      bundleInfo.reset();
      bundleInfo.set({ revision }, 1);
      bundleLoads.inc({ outcome: "loaded" });
      missingBuiltins.reset();
    },
    bundleRefused(names = []) {
      bundleLoads.inc({ outcome: "refused" });
      missingBuiltins.reset();
      for (const builtin of names) missingBuiltins.set({ builtin }, 1);
    },
    threadReplaced(reason) {
      threadsReplaced.inc({ reason });
    },
    countRejected(reason) {
      rejected.inc({ reason });
    },
  };
}

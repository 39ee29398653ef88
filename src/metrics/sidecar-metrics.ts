import { collectDefaultMetrics, Registry } from "prom-client";
import type { DecisionRecord } from "../authz/index.js";
import type { Clock } from "../clock.js";
import type { RateVerdict } from "../ratelimit/index.js";
import { checkMetrics } from "./check.js";
import { definer } from "./define.js";
import { policyMetrics } from "./policy.js";
import { processMetrics } from "./process.js";
import { storeMetrics } from "./stores.js";

/** The sidecar's Prometheus metrics, on a registry of its own (never prom-client's default). */
export interface AuthzMetrics {
  readonly registry: Registry;
  /** Counts and times one finished decision. */
  observeDecision(record: DecisionRecord): void;
  /** Counts a Check call by the gRPC status name it ended with (`OK`, `INVALID_ARGUMENT`, …). */
  countCheckCall(grpcCode: string): void;
  /** A bundle was loaded and is serving. */
  policyLoaded(revision: string): void;
  /** A bundle was refused (the previous one keeps serving), naming builtins it lacked. */
  bundleRefused(missingBuiltins?: string[]): void;
  /** The bundle source was read (a new bundle, or the same one): the policy is not stale. */
  bundleSourceReached(): void;
  /** An evaluation thread was terminated and replaced, by reason (deadline, died). */
  threadReplaced(reason: string): void;
  /** Counts a Check the gRPC layer rejected before the pipeline (bad payload, too large). */
  countRejected(reason: string): void;
  /** Decision cache events. */
  cache: { hit(source: "local" | "shared"): void; miss(): void; evicted(): void };
  /** Reports the number of cached decisions when scraped. */
  observeCacheSize(size: () => number): void;
  /** Reports each issuer's remote key set's last good fetch (wall-clock ms; 0: never) when scraped. */
  observeKeySets(read: () => ReadonlyArray<{ issuer: string; refreshedAtMs: number }>): void;
  /** A Redis call that did not help (timeout, error, garbage), by purpose. */
  countRedisFailure(purpose: string, failure: string): void;
  /** A revocation was applied (from Redis, pub/sub or the file). */
  countRevocation(): void;
  /** Something suspicious was ignored (e.g. a proxy header from a stranger). */
  countSuspicious(): void;
  /** One rate limit verdict, by scope, tier, outcome and who decided (redis, local, none). */
  countRateLimit(verdict: RateVerdict): void;
  /** Decision log sink events. */
  decisionLog: {
    /** A sink was opened: its series start at zero. */
    opened(sink: string): void;
    written(sink: string, count: number): void;
    dropped(sink: string, count: number): void;
    failed(sink: string): void;
  };
}

/** What the build reports in `openclaw_authz_build_info`. */
export interface BuildInfo {
  version: string;
  commit: string;
  /** The opa-wasm release the wasm glue follows. */
  opaWasm: string;
}

/**
 * Creates the metrics, with Node's process and heap metrics (prom-client's default metrics) on
 * the same registry. Ours are prefixed `openclaw_authz_`; the series a label can take start at
 * zero, so `rate()` sees the first event. Each gauge says how the supervisor folds the workers'
 * values into one scrape (counters and histograms sum).
 */
export function createMetrics(deps: { clock: Clock }, options: { build: BuildInfo }): AuthzMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const define = definer(registry);
  const nowSeconds = () => deps.clock.now().getTime() / 1000;
  return {
    registry,
    ...checkMetrics(define, registry),
    ...policyMetrics(define, nowSeconds),
    ...storeMetrics(define),
    ...processMetrics(define, options.build),
  };
}

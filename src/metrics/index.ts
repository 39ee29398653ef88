import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { DecisionRecord } from "../authz/index.js";

/** The sidecar's Prometheus metrics, on a registry of its own (never prom-client's default). */
export interface AuthzMetrics {
  readonly registry: Registry;
  /** Counts and times one finished decision. */
  observeDecision(record: DecisionRecord): void;
  /** 1 while a policy is loaded. */
  setPolicyLoaded(loaded: boolean): void;
  /** Counts a Check the gRPC layer rejected before the pipeline (bad payload, too large). */
  countRejected(reason: string): void;
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
  const rejected = new Counter({
    name: "openclaw_authz_rejected_requests_total",
    help: "Check calls rejected by the gRPC layer before evaluation, by reason.",
    labelNames: ["reason"],
    registers: [registry],
  });
  return {
    registry,
    observeDecision(record) {
      const outcome = record.error ? "error" : record.allowed ? "allow" : "deny";
      decisions.inc({ outcome, code: record.error?.code ?? "" });
      const total = record.metrics.timer_server_handler_ns;
      if (total !== undefined) checkDuration.observe(total / 1e9);
      const evaluation = record.metrics.timer_eval_ns;
      if (evaluation !== undefined) evalDuration.observe(evaluation / 1e9);
    },
    setPolicyLoaded(loaded) {
      policyLoaded.set(loaded ? 1 : 0);
    },
    countRejected(reason) {
      rejected.inc({ reason });
    },
  };
}

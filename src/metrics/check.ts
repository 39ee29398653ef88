import { Histogram, type Registry } from "prom-client";
import type { Define } from "./define.js";
import { boundChildren, each } from "./define.js";
import { CHECK_CALL_CODES, DECISION_SERIES, REJECTED_REASONS } from "./labels.js";
import type { AuthzMetrics } from "./sidecar-metrics.js";

const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
];

/** Decisions, Check calls and their timing. */
export function checkMetrics(
  define: Define,
  registry: Registry,
): Pick<AuthzMetrics, "observeDecision" | "countCheckCall" | "countRejected"> {
  const decisions = define.counter(
    "decisions_total",
    "Check decisions by outcome (allow, deny, unauthenticated, error) and, unless allow or deny, error code.",
    ["outcome", "code"],
    DECISION_SERIES,
  );
  const decision = boundChildren(decisions);
  const calls = define.counter(
    "check_calls_total",
    "Check calls by the gRPC status they ended with (OK for every answered Check, allowed or denied).",
    ["grpc_code"],
    each("grpc_code", CHECK_CALL_CODES),
  );
  const call = boundChildren(calls);
  const histogram = (name: string, help: string) =>
    new Histogram({ name, help, buckets: LATENCY_BUCKETS, registers: [registry] });
  const checkDuration = histogram(
    "openclaw_authz_check_duration_seconds",
    "Time to answer one Check, from decode to response.",
  );
  const evalDuration = histogram(
    "openclaw_authz_policy_eval_duration_seconds",
    "Time spent in the WebAssembly policy evaluation of one Check.",
  );
  const rejected = define.counter(
    "rejected_requests_total",
    "Check calls rejected by the gRPC layer before evaluation, by reason.",
    ["reason"],
    each("reason", REJECTED_REASONS),
  );
  return {
    observeDecision(record) {
      const code = record.error?.code ?? "";
      decision({ outcome: outcomeOf(record.error?.code, record.allowed), code }).inc();
      const total = record.metrics.timer_server_handler_ns;
      if (total !== undefined) checkDuration.observe(total / 1e9);
      const evaluation = record.metrics.timer_rego_query_eval_ns;
      if (evaluation !== undefined) evalDuration.observe(evaluation / 1e9);
    },
    countCheckCall: (grpc_code) => call({ grpc_code }).inc(),
    countRejected: (reason) => rejected.inc({ reason }),
  };
}

/** An invalid credential is the caller's doing (HTTP 401), counted apart from faults. */
function outcomeOf(code: string | undefined, allowed: boolean): string {
  if (code === "identity_invalid") return "unauthenticated";
  if (code !== undefined) return "error";
  return allowed ? "allow" : "deny";
}

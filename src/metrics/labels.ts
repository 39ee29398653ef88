/**
 * The label values every series starts with, at zero, so `rate()` and `increase()` see the first
 * event (a counter first scraped at 1 has no earlier sample to rise from).
 */

/** `openclaw_authz_decisions_total{outcome, code}`: each pair a Check can end in. */
export const DECISION_SERIES: ReadonlyArray<{ outcome: string; code: string }> = [
  { outcome: "allow", code: "" },
  { outcome: "deny", code: "" },
  // A presented credential that failed verification (HTTP 401): the caller's doing, not a fault.
  { outcome: "unauthenticated", code: "identity_invalid" },
  ...[
    "request_parse_error",
    "policy_not_loaded",
    "identity_unavailable",
    "policy_undefined",
    "policy_result_invalid",
    "policy_eval_error",
    "policy_eval_timeout",
    "internal",
  ].map((code) => ({ outcome: "error", code })),
];

/** The gRPC status names a Check call can end with (grpc/server.ts, grpc/receive-guard.ts). */
export const CHECK_CALL_CODES = [
  "OK",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "RESOURCE_EXHAUSTED",
  "CANCELLED",
  "INTERNAL",
];

/** `openclaw_authz_rejected_requests_total{reason}` (grpc/server.ts, grpc/receive-guard.ts). */
export const REJECTED_REASONS = [
  "undecodable",
  "receive_timeout",
  "receive_buffers_full",
  "transport_unobservable",
];

export const CACHE_SOURCES = ["local", "shared"];
export const BUNDLE_LOAD_OUTCOMES = ["loaded", "refused"];
export const THREAD_REPLACED_REASONS = ["deadline", "died"];

/** `openclaw_authz_redis_failures_total{purpose, failure}` (sidecar/pipeline.ts, sidecar.ts). */
export const REDIS_FAILURE_SERIES: ReadonlyArray<{ purpose: string; failure: string }> = [
  ...["timeout", "error", "garbage"].map((failure) => ({ purpose: "cache", failure })),
  { purpose: "revocation", failure: "error" },
  { purpose: "connection", failure: "error" },
];

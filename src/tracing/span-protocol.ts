import type { CheckStep } from "../authz/index.js";

/** The gRPC method a Check span is named after (OpenTelemetry RPC conventions: `service/method`). */
export const RPC_SERVICE = "envoy.service.auth.v3.Authorization";
export const SPAN_NAME = `${RPC_SERVICE}/Check`;

/** What the span thread is started with (its `workerData`). */
export interface SpanThreadSetup {
  endpoint: string;
  serviceName: string;
  serviceVersion: string;
  batchDelayMs: number;
}

/** The steps by the number a batch gives them. */
export const STEPS: readonly CheckStep[] = [
  "input",
  "rate_limit",
  "identity",
  "revocation",
  "cache",
  "policy_evaluation",
  "decision_log",
];

/**
 * Traced Checks as the Check path recorded them, flat: a structured clone of one number array
 * and one string array costs the Check path a fraction of a clone of an object per Check and per
 * step. Times are epoch milliseconds (sub-millisecond precision).
 *
 * `numbers`, per Check: {@link CHECK_NUMBERS} numbers at the {@link NUMBER} offsets, then
 * {@link STEP_NUMBERS} per step: its index in {@link STEPS}, start, end.
 * `texts`, per Check: {@link CHECK_TEXTS} strings at the {@link TEXT} offsets, "" for none.
 */
export interface SpanBatch {
  kind: "spans";
  checks: number;
  numbers: Float64Array;
  texts: string[];
}

export const NUMBER = {
  steps: 0,
  start: 1,
  end: 2,
  grpcStatus: 3,
  /** What Envoy answers the caller. */
  httpStatus: 4,
  dryRun: 5,
  /** The index of the step that failed, -1 for none. */
  failedStep: 6,
  /** 1 when a policy decided (its revision is the revision text, "" for a bundle without). */
  hasRevision: 7,
} as const;
export const CHECK_NUMBERS = 8;
export const STEP_NUMBERS = 3;

export const TEXT = {
  traceId: 0,
  spanId: 1,
  /** The caller's span, from the request's trace context; "" for a new trace. */
  parentSpanId: 2,
  /** The caller's `tracestate`, serialized. */
  traceState: 3,
  decisionId: 4,
  cache: 5,
  revision: 6,
  subject: 7,
  /** The error code of a failed Check. */
  error: 8,
} as const;
export const CHECK_TEXTS = 9;

/** Calls `each` with the offsets of each Check of the batch: of its numbers, and of its texts. */
export function forEachCheck(batch: SpanBatch, each: (numbers: number, texts: number) => void) {
  let n = 0;
  for (let check = 0; check < batch.checks; check++) {
    each(n, check * CHECK_TEXTS);
    n += CHECK_NUMBERS + (batch.numbers[n + NUMBER.steps] ?? 0) * STEP_NUMBERS;
  }
}

/** Where the numbers of step `step` of the Check at `check` start: index in STEPS, start, end. */
export const stepAt = (check: number, step: number) => check + CHECK_NUMBERS + step * STEP_NUMBERS;

/** What the Check path posts to the span thread. */
export type SpanThreadRequest = SpanBatch | { kind: "close" };

/** What the span thread posts back. */
export type SpanThreadReply = { kind: "export_failed"; message: string } | { kind: "closed" };

import type { Attributes } from "@opentelemetry/api";

/** The gRPC method a Check span is named after (OpenTelemetry RPC conventions: `service/method`). */
const RPC_SERVICE = "envoy.service.auth.v3.Authorization";
export const SPAN_NAME = `${RPC_SERVICE}/Check`;
export const RPC_ATTRIBUTES: Attributes = {
  "rpc.system": "grpc",
  "rpc.service": RPC_SERVICE,
  "rpc.method": "Check",
};

/** What the span thread is started with (its `workerData`). */
export interface SpanThreadSetup {
  endpoint: string;
  serviceName: string;
  serviceVersion: string;
  batchDelayMs: number;
}

/**
 * One traced Check as the Check path recorded it: ids chosen and sampled there, times in epoch
 * milliseconds (sub-millisecond precision), made into SDK spans by the span thread.
 */
export interface CheckSpanRecord {
  traceId: string;
  spanId: string;
  /** The caller's span, from the request's trace context; absent for a new trace. */
  parentSpanId?: string;
  /** The caller's `tracestate`, serialized. */
  traceState?: string;
  start: number;
  end: number;
  /** The child spans: name, span id, start, end, and the error code of a step that failed. */
  steps: [name: string, spanId: string, start: number, end: number, error?: string][];
  attributes: Attributes;
  /** The error code of a failed Check. */
  error?: string;
}

/** What the Check path posts to the span thread. */
export type SpanThreadRequest = { kind: "spans"; checks: CheckSpanRecord[] } | { kind: "close" };

/** What the span thread posts back. */
export type SpanThreadReply = { kind: "export_failed"; message: string } | { kind: "closed" };

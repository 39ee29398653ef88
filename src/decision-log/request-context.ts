import type { DecisionRecord } from "../authz/index.js";
import { parseTraceparent } from "../tracing/index.js";

/**
 * What links an event to the rest of a request's telemetry: OPA's `trace_id` and `span_id` (the
 * Check span's when tracing is on, else the caller's, from the W3C `traceparent` the request
 * carried) and `req_id`, Envoy's `x-request-id` (docs/decision-log-fields.md says why a string).
 */
export function requestContext(record: DecisionRecord): {
  trace_id?: string;
  span_id?: string;
  req_id?: string;
} {
  const trace = record.trace ?? parseTraceparent(header(record, "traceparent"));
  const requestId = record.requestId ?? header(record, "x-request-id");
  return {
    ...(trace ? { trace_id: trace.traceId, span_id: trace.spanId } : {}),
    ...(requestId ? { req_id: requestId } : {}),
  };
}

type HeaderEntry = { key?: unknown; value?: unknown; rawValue?: unknown };

/** A request header as the input document holds it: `headers`, or Envoy's raw `headerMap`. */
function header(record: DecisionRecord, name: string): string | undefined {
  const http = (record.input?.attributes as { request?: { http?: HttpInput } } | undefined)?.request
    ?.http;
  const value = http?.headers?.[name];
  if (typeof value === "string") return value;
  const entry = http?.headerMap?.headers?.find(
    (h: HeaderEntry) => typeof h.key === "string" && h.key.toLowerCase() === name,
  );
  if (typeof entry?.rawValue === "string") return Buffer.from(entry.rawValue, "base64").toString();
  return typeof entry?.value === "string" ? entry.value : undefined;
}

interface HttpInput {
  headers?: Record<string, unknown>;
  headerMap?: { headers?: HeaderEntry[] };
}

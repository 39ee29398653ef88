import type { RequestContext } from "../authz/index.js";
import { parseTraceparent } from "./trace-context.js";

/**
 * The trace ids of a decoded CheckRequest's W3C `traceparent` and its `x-request-id`, read from
 * the request itself (for the decision log of a check whose input document was never built).
 */
export function checkRequestContext(request: unknown): RequestContext {
  const trace = parseTraceparent(checkRequestHeader(request, "traceparent"));
  const requestId = checkRequestHeader(request, "x-request-id");
  return { ...(trace ? { trace } : {}), ...(requestId ? { requestId } : {}) };
}

/**
 * The HTTP headers of a decoded `envoy.service.auth.v3.CheckRequest` (protobufjs), by lower-case
 * name: `attributes.request.http.headers`, or Envoy's `header_map` when it sends raw headers
 * (`encode_raw_headers`; external_auth.proto `HttpRequest.header_map`).
 */
export function checkRequestHeader(request: unknown, name: string): string | undefined {
  const http = (request as { attributes?: { request?: { http?: HttpRequest } } } | undefined)
    ?.attributes?.request?.http;
  const value = http?.headers?.[name];
  if (typeof value === "string") return value;
  for (const entry of http?.headerMap?.headers ?? []) {
    if (entry.key?.toLowerCase() !== name) continue;
    if (entry.rawValue && entry.rawValue.length > 0) return Buffer.from(entry.rawValue).toString();
    if (typeof entry.value === "string") return entry.value;
  }
  return undefined;
}

interface HttpRequest {
  headers?: Record<string, unknown>;
  headerMap?: { headers?: Array<{ key?: string; value?: string; rawValue?: Uint8Array }> };
}

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/ §3.2): the ids a `traceparent` header
 * carries, read without the OpenTelemetry SDK, so the decision log links a decision to the
 * caller's trace even when tracing is off.
 */

/** `version-traceid-parentid-flags`, lower-case hex (§3.2.2); version `ff` is invalid (§3.2.2.1). */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

/**
 * The trace id and parent span id of a `traceparent` value, or undefined when it is not a valid
 * one: all-zero ids, version `ff`, and (for version `00`) anything after the flags are refused as
 * §3.2.2.3–§3.2.2.4 and §4.3 say. Leading and trailing spaces are allowed (§3.2.1, OWS).
 */
export function parseTraceparent(
  value: string | undefined,
): { traceId: string; spanId: string } | undefined {
  if (value === undefined) return undefined;
  const match = TRACEPARENT.exec(value.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, , rest] = match as unknown as string[];
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId: traceId as string, spanId: spanId as string };
}

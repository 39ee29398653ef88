/**
 * The caller's span a CheckRequest names, read as OpenTelemetry's propagators read it (the W3C
 * `W3CTraceContextPropagator` of @opentelemetry/core, then `B3Propagator` of
 * @opentelemetry/propagator-b3 2.x), without their context objects: a Check pays for the parse
 * only. `caller-span.test.ts` holds every rule below to those propagators themselves.
 */
import type { parseTraceParent } from "@opentelemetry/core";

/** The span a Check continues. */
export interface CallerSpan {
  traceId: string;
  spanId: string;
  /** The caller's sampled flag, which the parent-based sampler follows. */
  sampled: boolean;
  /** The raw `tracestate` value that came with a W3C `traceparent`, "" for none (and for B3). */
  traceState: string;
}

/** A request header by lower-case name. */
export type HeaderOf = (name: string) => string | undefined;

/** W3C Trace Context §3.2.2.5: the `sampled` bit of `trace-flags`. */
const SAMPLED_FLAG = 0x1;

/**
 * The W3C `traceparent` (parsed by OpenTelemetry's own `parseTraceParent`, passed in: the SDK is
 * loaded only with tracing on), with its `tracestate`; else B3 ({@link b3CallerSpan}); else
 * undefined, for a new trace. Never throws.
 */
export function callerSpan(
  header: HeaderOf,
  parseW3c: typeof parseTraceParent,
): CallerSpan | undefined {
  const traceparent = header("traceparent");
  const w3c = traceparent ? parseW3c(traceparent) : null;
  if (!w3c) return b3CallerSpan(header);
  return {
    traceId: w3c.traceId,
    spanId: w3c.spanId,
    sampled: (w3c.traceFlags & SAMPLED_FLAG) === SAMPLED_FLAG,
    traceState: header("tracestate") ?? "",
  };
}

/**
 * B3 (https://github.com/openzipkin/b3-propagation): the single `b3` header when it is there and
 * not empty (then the multi headers are not read, valid or not), else `x-b3-traceid`,
 * `x-b3-spanid`, `x-b3-sampled` and `x-b3-flags`. As the B3Propagator extracts them, quirks
 * included: the single header's pattern is not anchored, a multi-header trace id shorter than 32
 * digits is left-padded with zeros, multi-header ids may be upper-case hex, and a single header
 * without a sampling state is not sampled.
 */
export function b3CallerSpan(header: HeaderOf): CallerSpan | undefined {
  const single = header("b3");
  return single ? b3Single(single) : b3Multi(header);
}

/** B3SinglePropagator's pattern: `traceid-spanid[-sampling][-parentspanid]`, not anchored. */
const B3_SINGLE =
  /((?:[0-9a-f]{16}){1,2})-([0-9a-f]{16})(?:-([01d](?![0-9a-f])))?(?:-([0-9a-f]{16}))?/;
const PADDING = "0".repeat(16);

function b3Single(value: string): CallerSpan | undefined {
  const match = B3_SINGLE.exec(value);
  if (!match) return undefined;
  const [, shortOrLong = "", spanId = "", samplingState] = match;
  const traceId = shortOrLong.length === 32 ? shortOrLong : `${PADDING}${shortOrLong}`;
  if (!validId(traceId, 32) || !validId(spanId, 16)) return undefined;
  // "d" (debug) is sampled too.
  const sampled = samplingState === "1" || samplingState === "d";
  return { traceId, spanId, sampled, traceState: "" };
}

function b3Multi(header: HeaderOf): CallerSpan | undefined {
  const traceId = header("x-b3-traceid")?.padStart(32, "0") ?? "";
  const spanId = header("x-b3-spanid") ?? "";
  const sampled = b3MultiSampled(header("x-b3-sampled"), header("x-b3-flags"));
  if (sampled === undefined || !validId(traceId, 32) || !validId(spanId, 16)) return undefined;
  return { traceId, spanId, sampled, traceState: "" };
}

/** `x-b3-flags: 1` (debug) or a true `x-b3-sampled`; undefined for a value that is neither. */
function b3MultiSampled(sampled: string | undefined, flags: string | undefined) {
  if (flags === "1" || sampled === "1" || sampled === "true" || sampled === "True") return true;
  if (sampled === undefined || sampled === "0" || sampled === "false" || sampled === "False") {
    return false;
  }
  return undefined;
}

/** The API's `isValidTraceId` / `isValidSpanId`: hex of either case, not all zeros. */
const HEX = /^[0-9a-fA-F]*$/;
const ALL_ZEROS = /^0*$/;
const validId = (id: string, length: number) =>
  id.length === length && HEX.test(id) && !ALL_ZEROS.test(id);

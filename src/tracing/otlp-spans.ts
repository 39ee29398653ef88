/**
 * Recorded Checks as OTLP: each Check's server span and a child span per step, as the `Span`
 * messages of one `ExportTraceServiceRequest` (opentelemetry-proto `trace/v1/trace.proto`,
 * `collector/trace/v1/trace_service.proto`). Written straight from a batch's numbers and texts,
 * in the fields, order and form of the SDK's own encoding (`@opentelemetry/otlp-transformer`'s
 * `ProtobufTraceSerializer` of the SDK's spans), which otlp-spans.test.ts holds it to, byte for
 * byte: the span thread's work per span is a few copies instead of an SDK span, a `ReadableSpan`
 * and that serializer's two passes over it.
 */
import { SpanKind, SpanStatusCode, TraceFlags } from "@opentelemetry/api";
import { encoded, ProtoWriter, varintSize, WIRE } from "./proto-writer.js";
import {
  forEachCheck,
  NUMBER,
  RPC_ATTRIBUTES,
  SPAN_NAME,
  type SpanBatch,
  STEPS,
  stepAt,
  TEXT,
} from "./span-protocol.js";

export interface SpanEncoderOptions {
  serviceName: string;
  serviceVersion: string;
  /** Writes a new random span id (8 bytes, not all zero) at `offset`. */
  spanId(into: Uint8Array, offset: number): void;
}

/** An encoded `ExportTraceServiceRequest` and how many spans it holds. */
export interface EncodedSpans {
  body: Uint8Array;
  spans: number;
}

export interface SpanEncoder {
  /** Adds the spans of the batch's Checks. */
  add(batch: SpanBatch): void;
  /** Spans added since the last take. */
  readonly spans: number;
  /** The request of the spans added since the last take; undefined for none. */
  take(): EncodedSpans | undefined;
}

// Span (trace.proto) field numbers.
const SPAN = {
  traceId: 1,
  spanId: 2,
  traceState: 3,
  parentSpanId: 4,
  name: 5,
  kind: 6,
  start: 7,
  end: 8,
  attributes: 9,
  droppedAttributes: 10,
  droppedEvents: 12,
  droppedLinks: 14,
  status: 15,
  flags: 16,
} as const;
// SpanFlags (trace.proto): the W3C flags, and whether the parent is remote.
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;
// The proto's SpanKind counts UNSPECIFIED first: the API's kind plus one.
const kindOf = (kind: SpanKind) =>
  encoded((w) => {
    w.tag(SPAN.kind, WIRE.varint);
    w.varint(kind + 1);
  });
const SERVER = kindOf(SpanKind.SERVER);
const INTERNAL = kindOf(SpanKind.INTERNAL);
const nameOf = (name: string) =>
  encoded((w) => {
    w.tag(SPAN.name, WIRE.delimited);
    w.string(name);
  });
const CHECK_NAME = nameOf(SPAN_NAME);
const STEP_NAMES = STEPS.map(nameOf);
/** No attributes, events or links dropped (the SDK writes the zeros). */
const NONE_DROPPED = encoded((w) => {
  for (const field of [SPAN.droppedAttributes, SPAN.droppedEvents, SPAN.droppedLinks]) {
    w.tag(field, WIRE.varint);
    w.varint(0);
  }
});

// KeyValue and AnyValue (common.proto).
const keyOf = (key: string) =>
  encoded((w) => {
    w.tag(1, WIRE.delimited);
    w.string(key);
  });
function stringValue(w: ProtoWriter, field: number, key: Uint8Array, value: string): void {
  w.tag(field, WIRE.delimited);
  const keyValue = w.begin();
  w.raw(key);
  w.tag(2, WIRE.delimited);
  const any = w.begin();
  w.tag(1, WIRE.delimited);
  w.string(value);
  w.end(any);
  w.end(keyValue);
}
/** A bool (AnyValue field 2) or a non-negative int (field 3). */
function varintValue(w: ProtoWriter, key: Uint8Array, anyField: 2 | 3, value: number): void {
  w.tag(SPAN.attributes, WIRE.delimited);
  const keyValue = w.begin();
  w.raw(key);
  w.tag(2, WIRE.delimited);
  const any = w.begin();
  w.tag(anyField, WIRE.varint);
  w.varint(value);
  w.end(any);
  w.end(keyValue);
}
const RPC = encoded((w) => {
  for (const [key, value] of Object.entries(RPC_ATTRIBUTES))
    stringValue(w, SPAN.attributes, keyOf(key), String(value));
});
const KEY = {
  decisionId: keyOf("authz.decision_id"),
  allowed: keyOf("authz.allowed"),
  cache: keyOf("authz.cache"),
  dryRun: keyOf("authz.dry_run"),
  grpcStatus: keyOf("rpc.grpc.status_code"),
  httpStatus: keyOf("http.response.status_code"),
  revision: keyOf("authz.policy.revision"),
  subject: keyOf("authz.subject"),
  error: keyOf("authz.error"),
};

export function createSpanEncoder(options: SpanEncoderOptions): SpanEncoder {
  const w = new ProtoWriter();
  let spans = 0;
  // The Check's own ids, as bytes, for each of its spans.
  const traceId = Buffer.alloc(16);
  const checkSpanId = Buffer.alloc(8);
  const parentSpanId = Buffer.alloc(8);
  const stepSpanId = Buffer.alloc(8);
  let traceState = "";

  function head(
    name: Uint8Array,
    kind: Uint8Array,
    spanId: Uint8Array,
    parent: Uint8Array | undefined,
    start: number,
    end: number,
  ): number {
    w.tag(2, WIRE.delimited); // ScopeSpans.spans
    const span = w.begin();
    w.tag(SPAN.traceId, WIRE.delimited);
    w.varint(16);
    w.raw(traceId);
    w.tag(SPAN.spanId, WIRE.delimited);
    w.varint(8);
    w.raw(spanId);
    if (traceState) {
      w.tag(SPAN.traceState, WIRE.delimited);
      w.string(traceState);
    }
    if (parent) {
      w.tag(SPAN.parentSpanId, WIRE.delimited);
      w.varint(8);
      w.raw(parent);
    }
    w.raw(name);
    w.raw(kind);
    w.tag(SPAN.start, WIRE.fixed64);
    w.fixed64Millis(start);
    w.tag(SPAN.end, WIRE.fixed64);
    w.fixed64Millis(end);
    return span;
  }

  function tail(span: number, error: string, flags: number): void {
    w.raw(NONE_DROPPED);
    w.tag(SPAN.status, WIRE.delimited);
    const status = w.begin();
    if (error) {
      w.tag(2, WIRE.delimited);
      w.string(error);
    }
    w.tag(3, WIRE.varint);
    w.varint(error ? SpanStatusCode.ERROR : SpanStatusCode.UNSET);
    w.end(status);
    w.tag(SPAN.flags, WIRE.fixed32);
    w.fixed32(flags);
    w.end(span);
  }

  /** The Check span's attributes: ids and outcome (the batch carries nothing else). */
  function attributes(numbers: Float64Array, n: number, texts: string[], t: number): void {
    const text = (field: number) => texts[t + field] ?? "";
    const grpcStatus = numbers[n + NUMBER.grpcStatus] ?? 0;
    w.raw(RPC);
    stringValue(w, SPAN.attributes, KEY.decisionId, text(TEXT.decisionId));
    varintValue(w, KEY.allowed, 2, grpcStatus === 0 ? 1 : 0);
    stringValue(w, SPAN.attributes, KEY.cache, text(TEXT.cache));
    varintValue(w, KEY.dryRun, 2, numbers[n + NUMBER.dryRun] ?? 0);
    varintValue(w, KEY.grpcStatus, 3, grpcStatus);
    varintValue(w, KEY.httpStatus, 3, numbers[n + NUMBER.httpStatus] ?? 0);
    if (numbers[n + NUMBER.hasRevision] === 1)
      stringValue(w, SPAN.attributes, KEY.revision, text(TEXT.revision));
    if (text(TEXT.subject)) stringValue(w, SPAN.attributes, KEY.subject, text(TEXT.subject));
    if (text(TEXT.error)) stringValue(w, SPAN.attributes, KEY.error, text(TEXT.error));
  }

  function check(numbers: Float64Array, n: number, texts: string[], t: number): void {
    traceId.write(texts[t + TEXT.traceId] ?? "", "hex");
    checkSpanId.write(texts[t + TEXT.spanId] ?? "", "hex");
    const parentHex = texts[t + TEXT.parentSpanId] ?? "";
    if (parentHex) parentSpanId.write(parentHex, "hex");
    traceState = texts[t + TEXT.traceState] ?? "";
    const error = texts[t + TEXT.error] ?? "";
    const failedStep = numbers[n + NUMBER.failedStep];
    const steps = numbers[n + NUMBER.steps] ?? 0;
    const sampled = TraceFlags.SAMPLED | HAS_IS_REMOTE;
    for (let step = 0; step < steps; step++) {
      const s = stepAt(n, step);
      const name = STEP_NAMES[numbers[s] ?? 0] as Uint8Array;
      options.spanId(stepSpanId, 0);
      const span = head(
        name,
        INTERNAL,
        stepSpanId,
        checkSpanId,
        numbers[s + 1] ?? 0,
        numbers[s + 2] ?? 0,
      );
      tail(span, step === failedStep ? error : "", sampled);
    }
    const start = numbers[n + NUMBER.start] ?? 0;
    const end = numbers[n + NUMBER.end] ?? 0;
    const span = head(
      CHECK_NAME,
      SERVER,
      checkSpanId,
      parentHex ? parentSpanId : undefined,
      start,
      end,
    );
    attributes(numbers, n, texts, t);
    tail(span, error, parentHex ? sampled | IS_REMOTE : sampled);
    spans += steps + 1;
  }

  // ResourceSpans.resource and ScopeSpans.scope (resource.proto, common.proto).
  const resource = encoded((r) => {
    r.tag(1, WIRE.delimited);
    const at = r.begin();
    stringValue(r, 1, keyOf("service.name"), options.serviceName);
    stringValue(r, 1, keyOf("service.version"), options.serviceVersion);
    r.tag(2, WIRE.varint);
    r.varint(0);
    r.end(at);
  });
  const scope = encoded((s) => {
    s.tag(1, WIRE.delimited);
    const at = s.begin();
    s.tag(1, WIRE.delimited);
    s.string("openclaw-authz");
    if (options.serviceVersion) {
      s.tag(2, WIRE.delimited);
      s.string(options.serviceVersion);
    }
    s.end(at);
  });

  return {
    get spans() {
      return spans;
    },
    add(batch) {
      forEachCheck(batch, (n, t) => check(batch.numbers, n, batch.texts, t));
    },
    take() {
      if (spans === 0) return undefined;
      const scopeSpans = scope.length + w.pos;
      const resourceSpans = resource.length + 1 + varintSize(scopeSpans) + scopeSpans;
      const request = new ProtoWriter(1 + varintSize(resourceSpans) + resourceSpans);
      request.tag(1, WIRE.delimited); // ExportTraceServiceRequest.resource_spans
      request.varint(resourceSpans);
      request.raw(resource);
      request.tag(2, WIRE.delimited); // ResourceSpans.scope_spans
      request.varint(scopeSpans);
      request.raw(scope);
      request.raw(w.bytes.subarray(0, w.pos));
      const taken = { body: request.written(), spans };
      w.pos = 0;
      spans = 0;
      return taken;
    },
  };
}

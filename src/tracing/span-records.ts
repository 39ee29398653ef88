/**
 * The span thread's reading of a {@link SpanBatch}: each Check becomes its server span and a
 * child span per step, as the SDK's `ReadableSpan`s that its span processor and the OTLP exporter
 * take. Built straight from the recorded numbers: no SDK `Span` (its clock, limits, context and
 * processor calls for times and attributes that are already final).
 */
import {
  type Attributes,
  type HrTime,
  type Link,
  type SpanContext,
  SpanKind,
  type SpanStatus,
  SpanStatusCode,
  TraceFlags,
} from "@opentelemetry/api";
import {
  hrTimeDuration,
  type InstrumentationScope,
  millisToHrTime,
  TraceState,
} from "@opentelemetry/core";
import type { Resource } from "@opentelemetry/resources";
import type { ReadableSpan, TimedEvent } from "@opentelemetry/sdk-trace-base";
import {
  forEachCheck,
  NUMBER,
  RPC_SERVICE,
  SPAN_NAME,
  type SpanBatch,
  STEPS,
  stepAt,
  TEXT,
} from "./span-protocol.js";

/** What every span of the sidecar shares, and where its step spans' ids come from. */
export interface SpanSource {
  resource: Resource;
  scope: InstrumentationScope;
  /** A new random span id (W3C, lower-case hex). */
  spanId(): string;
}

const UNSET: SpanStatus = { code: SpanStatusCode.UNSET };
const NO_ATTRIBUTES: Attributes = Object.freeze({});
const NO_LINKS: Link[] = [];
const NO_EVENTS: TimedEvent[] = [];

/** A finished span: what the exporter reads of it, nothing more. */
class FinishedSpan implements ReadableSpan {
  readonly ended = true;
  readonly links = NO_LINKS;
  readonly events = NO_EVENTS;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;

  constructor(
    readonly name: string,
    readonly kind: SpanKind,
    private readonly context: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    readonly startTime: HrTime,
    readonly endTime: HrTime,
    readonly status: SpanStatus,
    readonly attributes: Attributes,
    private readonly source: SpanSource,
  ) {}

  spanContext(): SpanContext {
    return this.context;
  }
  get duration(): HrTime {
    return hrTimeDuration(this.startTime, this.endTime);
  }
  get resource(): Resource {
    return this.source.resource;
  }
  get instrumentationScope(): InstrumentationScope {
    return this.source.scope;
  }
}

/** Calls `each` with every span of the batch: per Check, its step spans, then the Check span. */
export function readSpans(
  batch: SpanBatch,
  source: SpanSource,
  each: (span: ReadableSpan) => void,
): void {
  const { numbers, texts } = batch;
  forEachCheck(batch, (n, t) => {
    const text = (field: number) => texts[t + field] ?? "";
    const number = (field: number) => numbers[n + field] ?? 0;
    const traceId = text(TEXT.traceId);
    const traceState = text(TEXT.traceState) ? new TraceState(text(TEXT.traceState)) : undefined;
    const sampled = TraceFlags.SAMPLED;
    const context: SpanContext = { traceId, spanId: text(TEXT.spanId), traceFlags: sampled };
    if (traceState) context.traceState = traceState;
    const parentSpanId = text(TEXT.parentSpanId);
    const parent: SpanContext | undefined = parentSpanId
      ? { traceId, spanId: parentSpanId, traceFlags: sampled, isRemote: true, traceState }
      : undefined;
    const error = text(TEXT.error);
    const failed: SpanStatus | undefined = error
      ? { code: SpanStatusCode.ERROR, message: error }
      : undefined;
    const failedStep = number(NUMBER.failedStep);
    const steps = number(NUMBER.steps);
    for (let step = 0; step < steps; step++) {
      const s = stepAt(n, step);
      const stepContext: SpanContext = { traceId, spanId: source.spanId(), traceFlags: sampled };
      if (traceState) stepContext.traceState = traceState;
      each(
        new FinishedSpan(
          STEPS[numbers[s] ?? 0] ?? "unknown",
          SpanKind.INTERNAL,
          stepContext,
          context,
          millisToHrTime(numbers[s + 1] ?? 0),
          millisToHrTime(numbers[s + 2] ?? 0),
          step === failedStep && failed ? failed : UNSET,
          NO_ATTRIBUTES,
          source,
        ),
      );
    }
    each(
      new FinishedSpan(
        SPAN_NAME,
        SpanKind.SERVER,
        context,
        parent,
        millisToHrTime(number(NUMBER.start)),
        millisToHrTime(number(NUMBER.end)),
        failed ?? UNSET,
        checkAttributes(number, text),
        source,
      ),
    );
  });
}

/**
 * What a Check span says about its decision: ids, outcome, cache, policy revision and the verified
 * subject. Never the input, a token, a claim or a header (the batch carries none).
 */
function checkAttributes(
  number: (field: number) => number,
  text: (field: number) => string,
): Attributes {
  const grpcStatus = number(NUMBER.grpcStatus);
  // One object literal, no spread: in Node 20 each `{ ...shared, more }` object here took some
  // 10 µs to build and for the serializer to walk (`for…in`), against 0.1 µs for the literal, and
  // kept V8's GC threads busy besides: the span thread's largest cost after the serializer.
  const attributes: Attributes = {
    "rpc.system": "grpc",
    "rpc.service": RPC_SERVICE,
    "rpc.method": "Check",
    "authz.decision_id": text(TEXT.decisionId),
    "authz.allowed": grpcStatus === 0,
    "authz.cache": text(TEXT.cache),
    "authz.dry_run": number(NUMBER.dryRun) === 1,
    "rpc.grpc.status_code": grpcStatus,
    "http.response.status_code": number(NUMBER.httpStatus),
  };
  if (number(NUMBER.hasRevision) === 1) attributes["authz.policy.revision"] = text(TEXT.revision);
  if (text(TEXT.subject)) attributes["authz.subject"] = text(TEXT.subject);
  if (text(TEXT.error)) attributes["authz.error"] = text(TEXT.error);
  return attributes;
}

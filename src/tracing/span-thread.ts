/**
 * The span thread: makes OpenTelemetry SDK spans of the Checks the main thread recorded, batches
 * them and exports them as OTLP/HTTP protobuf. Each span keeps the ids the Check path chose (and
 * gave the decision log): the provider's id generator hands them out, span by span.
 */
import { parentPort, workerData } from "node:worker_threads";
import * as api from "@opentelemetry/api";
import { millisToHrTime, TraceState } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";
import {
  type CheckSpanRecord,
  RPC_ATTRIBUTES,
  SPAN_NAME,
  type SpanThreadReply,
  type SpanThreadRequest,
  type SpanThreadSetup,
} from "./span-protocol.js";

const setup = workerData as SpanThreadSetup;
const port = parentPort as NonNullable<typeof parentPort>;
const reply = (message: SpanThreadReply) => port.postMessage(message);

const otlp = new OTLPTraceExporter({ url: setup.endpoint });
// The SDK hands failed exports to its global diagnostic logger only; report them to the sidecar.
const exporter: SpanExporter = {
  export: (spans, done) =>
    otlp.export(spans, (result) => {
      if (result.error) reply({ kind: "export_failed", message: result.error.message });
      done(result);
    }),
  shutdown: () => otlp.shutdown(),
  forceFlush: () => otlp.forceFlush(),
};

/** The ids the next span gets: set just before each `startSpan`. */
const next = { traceId: "", spanId: "" };
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({
    "service.name": setup.serviceName,
    "service.version": setup.serviceVersion,
  }),
  // Sampled on the Check path already: only sampled Checks come here.
  sampler: new AlwaysOnSampler(),
  idGenerator: { generateTraceId: () => next.traceId, generateSpanId: () => next.spanId },
  spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: setup.batchDelayMs })],
});
const tracer = provider.getTracer("openclaw-authz", setup.serviceVersion);
const serverSpan = { kind: api.SpanKind.SERVER, attributes: RPC_ATTRIBUTES };

function replay(check: CheckSpanRecord): void {
  const parent = check.parentSpanId
    ? api.trace.setSpanContext(api.ROOT_CONTEXT, {
        traceId: check.traceId,
        spanId: check.parentSpanId,
        traceFlags: api.TraceFlags.SAMPLED,
        isRemote: true,
        ...(check.traceState ? { traceState: new TraceState(check.traceState) } : {}),
      })
    : api.ROOT_CONTEXT;
  next.traceId = check.traceId;
  next.spanId = check.spanId;
  const span = tracer.startSpan(
    SPAN_NAME,
    { ...serverSpan, startTime: millisToHrTime(check.start) },
    parent,
  );
  const context = api.trace.setSpan(parent, span);
  for (const [name, spanId, start, end, error] of check.steps) {
    next.spanId = spanId;
    const step = tracer.startSpan(name, { startTime: millisToHrTime(start) }, context);
    if (error) step.setStatus({ code: api.SpanStatusCode.ERROR, message: error });
    step.end(millisToHrTime(end));
  }
  if (check.error) span.setStatus({ code: api.SpanStatusCode.ERROR, message: check.error });
  span.setAttributes(check.attributes);
  span.end(millisToHrTime(check.end));
}

port.on("message", (request: SpanThreadRequest) => {
  if (request.kind === "spans") request.checks.forEach(replay);
  else
    provider.shutdown().then(
      () => reply({ kind: "closed" }),
      () => reply({ kind: "closed" }),
    );
});

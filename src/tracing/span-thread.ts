/**
 * The span thread: makes spans of the Checks the main thread recorded (span-records.ts), batches
 * them with the SDK's span processor and exports them with the OTLP/HTTP protobuf exporter
 * (`@opentelemetry/exporter-trace-otlp-proto`: its serializer, retries, timeout and the
 * `OTEL_EXPORTER_OTLP_*` environment). Each Check span keeps the ids the Check path chose (and
 * gave the decision log); its step spans get theirs here.
 */
import { parentPort, workerData } from "node:worker_threads";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";
import { randomIds } from "./random-ids.js";
import type { SpanThreadReply, SpanThreadRequest, SpanThreadSetup } from "./span-protocol.js";
import { readSpans, type SpanSource } from "./span-records.js";

/**
 * Spans per export (the SDK's default is 512): an HTTP request costs the thread about the same
 * whatever its size, so it sends fewer, larger ones; 2048 spans (some 300 Checks) are far below
 * what collectors take (the OpenTelemetry Collector's OTLP receiver: 20 MiB).
 */
const EXPORT_SPANS = 2048;
/**
 * Spans waiting for an export, at most: two full hand-offs of the Check path (1024 Checks of
 * seven spans each) while one export is out. Past it spans are dropped, and reported.
 */
const QUEUE_SPANS = 8 * EXPORT_SPANS;

const setup = workerData as SpanThreadSetup;
const port = parentPort as NonNullable<typeof parentPort>;
const reply = (message: SpanThreadReply) => port.postMessage(message);

const otlp = new OTLPTraceExporter({ url: setup.endpoint });
/** Spans the processor holds: given to it and not yet to the exporter. */
let queued = 0;
// The SDK hands failed exports and a full queue to its global diagnostic logger only; report them
// to the sidecar.
const exporter: SpanExporter = {
  export: (spans, done) => {
    queued -= spans.length;
    otlp.export(spans, (result) => {
      if (result.error) reply({ kind: "export_failed", message: result.error.message });
      done(result);
    });
  },
  shutdown: () => otlp.shutdown(),
  forceFlush: () => otlp.forceFlush(),
};
const processor = new BatchSpanProcessor(exporter, {
  maxExportBatchSize: EXPORT_SPANS,
  maxQueueSize: QUEUE_SPANS,
  scheduledDelayMillis: setup.batchDelayMs,
});
const source: SpanSource = {
  resource: resourceFromAttributes({
    "service.name": setup.serviceName,
    "service.version": setup.serviceVersion,
  }),
  scope: { name: "openclaw-authz", version: setup.serviceVersion },
  spanId: randomIds().spanId,
};
let dropped = 0;
/** The processor's own bound, kept here to count what it would drop. */
const finished = (span: ReadableSpan) => {
  if (queued >= QUEUE_SPANS) {
    dropped++;
    return;
  }
  queued++;
  processor.onEnd(span);
};

port.on("message", (request: SpanThreadRequest) => {
  if (request.kind === "spans") {
    readSpans(request, source, finished);
    if (dropped === 0) return;
    reply({ kind: "export_failed", message: `span queue full: ${dropped} spans dropped` });
    dropped = 0;
    return;
  }
  processor.shutdown().then(
    () => reply({ kind: "closed" }),
    () => reply({ kind: "closed" }),
  );
});

/**
 * The span thread: makes spans of the Checks the main thread recorded (span-records.ts), batches
 * them with the SDK's span processor and exports them with the OTLP/HTTP protobuf exporter. Each
 * Check span keeps the ids the Check path chose (and gave the decision log); its step spans get
 * theirs here.
 */
import { parentPort, workerData } from "node:worker_threads";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { randomIds } from "./random-ids.js";
import type { SpanThreadReply, SpanThreadRequest, SpanThreadSetup } from "./span-protocol.js";
import { readSpans, type SpanSource } from "./span-records.js";

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
const processor = new BatchSpanProcessor(exporter, { scheduledDelayMillis: setup.batchDelayMs });
const source: SpanSource = {
  resource: resourceFromAttributes({
    "service.name": setup.serviceName,
    "service.version": setup.serviceVersion,
  }),
  scope: { name: "openclaw-authz", version: setup.serviceVersion },
  spanId: randomIds().spanId,
};
const finished = processor.onEnd.bind(processor);

port.on("message", (request: SpanThreadRequest) => {
  if (request.kind === "spans") readSpans(request, source, finished);
  else
    processor.shutdown().then(
      () => reply({ kind: "closed" }),
      () => reply({ kind: "closed" }),
    );
});

/**
 * The span thread: encodes the Checks the main thread recorded as OTLP spans (otlp-spans.ts) and
 * exports them with the OpenTelemetry OTLP/HTTP export delegate (`@opentelemetry/otlp-exporter-base`,
 * the transport of `OTLPTraceExporter`: its endpoint, `OTEL_EXPORTER_OTLP_*` environment, retries,
 * timeout and bound on concurrent exports). Each Check span keeps the ids the Check path chose
 * (and gave the decision log); its step spans get theirs here.
 */
import { parentPort, workerData } from "node:worker_threads";
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
} from "@opentelemetry/otlp-exporter-base/node-http";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { createSpanEncoder, type EncodedSpans } from "./otlp-spans.js";
import { randomSpanIdBytes } from "./random-ids.js";
import type { SpanThreadReply, SpanThreadRequest, SpanThreadSetup } from "./span-protocol.js";

/**
 * Spans per export, at most: some 600 Checks, about 600 KB, far below what collectors take (the
 * OpenTelemetry Collector's OTLP receiver: 20 MiB). An HTTP request costs the thread a few hundred
 * µs whatever its size, so it sends few: with the SDK BatchSpanProcessor's 512 spans a request
 * that was a third of the thread's time.
 */
const EXPORT_SPANS = 4096;

const setup = workerData as SpanThreadSetup;
const port = parentPort as NonNullable<typeof parentPort>;
const reply = (message: SpanThreadReply) => port.postMessage(message);

const delegate = createOtlpHttpExportDelegate<EncodedSpans, unknown>(
  convertLegacyHttpOptions({ url: setup.endpoint }, "TRACES", "v1/traces", {
    "Content-Type": "application/x-protobuf",
  }),
  {
    serializeRequest: (request) => request.body,
    deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
  },
  "otlp_http_span_exporter",
  { name: "span", countItems: (request) => request.spans },
  undefined,
);
const encoder = createSpanEncoder({
  serviceName: setup.serviceName,
  serviceVersion: setup.serviceVersion,
  spanId: randomSpanIdBytes(),
});

let timer: NodeJS.Timeout | undefined;
/** Sends what is encoded; failed exports are reported to the sidecar, and their spans dropped. */
function exportSpans(): void {
  clearTimeout(timer);
  timer = undefined;
  const request = encoder.take();
  if (!request) return;
  delegate.export(request, (result) => {
    if (result.error) reply({ kind: "export_failed", message: result.error.message });
  });
}

port.on("message", (request: SpanThreadRequest) => {
  if (request.kind === "spans") {
    encoder.add(request);
    if (encoder.spans >= EXPORT_SPANS) exportSpans();
    else timer ??= setTimeout(exportSpans, setup.batchDelayMs);
    return;
  }
  exportSpans();
  delegate.shutdown().then(
    () => reply({ kind: "closed" }),
    () => reply({ kind: "closed" }),
  );
});

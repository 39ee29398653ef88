import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { TextMapGetter } from "@opentelemetry/api";
import type { CheckSpan, CheckTracer } from "../authz/index.js";
import { PACKAGE_ROOT } from "../package-root.js";
import { createSpanBatches, type EndedSpans, RecordedSpan } from "./check-span.js";
import { checkRequestHeader } from "./headers.js";
import { randomIds } from "./random-ids.js";
import {
  RPC_ATTRIBUTES,
  SPAN_NAME,
  type SpanThreadReply,
  type SpanThreadRequest,
  type SpanThreadSetup,
} from "./span-protocol.js";

/** `tracing` from the config, resolved. */
export interface TracingOptions {
  /** OTLP/HTTP protobuf traces URL (`http://collector:4318/v1/traces`). */
  endpoint: string;
  /** Share of new traces sampled, 0–1; a request with a trace context follows its flag. */
  sampleRatio: number;
  /** The `service.name` resource attribute. */
  serviceName: string;
  /** The `service.version` resource attribute. */
  serviceVersion: string;
  /** Longest spans wait to be batched, ms. Default 1000. */
  batchDelayMs?: number;
}

/** A running tracer: {@link CheckTracer} and a `close()` that flushes what is batched. */
export interface CheckTracing<R> extends CheckTracer<R> {
  /** Exports the spans still batched and stops; resolves once they are sent or failed. */
  close(): Promise<void>;
}

/** What the propagators read from a CheckRequest: its HTTP headers (external_auth.proto). */
const HEADERS: TextMapGetter<unknown> = {
  keys: () => ["traceparent", "tracestate", "b3", "x-b3-traceid", "x-b3-spanid", "x-b3-sampled"],
  get: (request, key) => checkRequestHeader(request, key.toLowerCase()),
};

/** The span thread's script in the build (bundled by scripts/bundle.mjs). */
const SPAN_THREAD_URL = pathToFileURL(join(PACKAGE_ROOT, "dist/tracing/span-thread.js"));
/**
 * Recorded Checks wait at most this long, or for this many, before they go to the span thread:
 * each hand-off wakes that thread, which on a busy machine costs the Check path more than the
 * message itself.
 */
const HAND_OFF_MS = 100;
const HAND_OFF_CHECKS = 1024;

/**
 * Loads the OpenTelemetry SDK (a dynamic import: a sidecar without `tracing.endpoint` never loads
 * it) and returns the Check tracer. A Check continues the request's W3C `traceparent` (else its
 * B3 headers, single or multi) and is sampled by the SDK's parent-based ratio sampler here, on
 * the Check path, which also chooses the span ids (the decision log's). A sampled Check only
 * records its steps' times; a thread of its own makes them SDK spans, batches them and sends
 * them as OTLP/HTTP protobuf to `endpoint`, so the SDK's span objects and the export cost the
 * Check path nothing. Nothing is registered globally. Export failures go to `onError`, never to
 * a Check.
 */
export async function createCheckTracer<R>(
  deps: { onError(error: Error): void },
  options: TracingOptions,
): Promise<CheckTracing<R>> {
  const [api, sdk, core, { B3Propagator }] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/sdk-trace-base"),
    import("@opentelemetry/core"),
    import("@opentelemetry/propagator-b3"),
  ]);
  const sampler = new sdk.ParentBasedSampler({
    root: new sdk.TraceIdRatioBasedSampler(options.sampleRatio),
  });
  // W3C over B3 when both came (as a composite of the two, B3 first, would have it), and B3 is
  // read only when no valid `traceparent` is there.
  const w3c = new core.W3CTraceContextPropagator();
  const b3 = new B3Propagator();
  const extract = (request: unknown) => {
    const context = w3c.extract(api.ROOT_CONTEXT, request, HEADERS);
    return api.trace.getSpanContext(context)
      ? context
      : b3.extract(api.ROOT_CONTEXT, request, HEADERS);
  };
  const thread = startSpanThread(deps, {
    endpoint: options.endpoint,
    serviceName: options.serviceName,
    serviceVersion: options.serviceVersion,
    batchDelayMs: options.batchDelayMs ?? 1_000,
  });
  const ids = randomIds();
  const sampled = api.SamplingDecision.RECORD_AND_SAMPLED;
  return {
    start(request) {
      const parent = extract(request);
      const caller = api.trace.getSpanContext(parent);
      const continued = caller !== undefined && api.trace.isSpanContextValid(caller);
      const traceId = continued ? caller.traceId : ids.traceId();
      const spanId = ids.spanId();
      const sampling = sampler.shouldSample(
        parent,
        traceId,
        SPAN_NAME,
        api.SpanKind.SERVER,
        RPC_ATTRIBUTES,
        [],
      );
      if (sampling.decision !== sampled) return unrecordedSpan(traceId, spanId);
      const parentSpanId = continued ? caller.spanId : "";
      const traceState = caller?.traceState?.serialize() ?? "";
      return new RecordedSpan({ traceId, spanId, parentSpanId, traceState }, thread);
    },
    close: () => thread.close(),
  };
}

/** A Check the sampler left out: its ids (the decision log's), and nothing recorded. */
function unrecordedSpan(traceId: string, spanId: string): CheckSpan {
  return { traceId, spanId, step() {}, evaluation: () => () => {}, end() {} };
}

/**
 * The span thread, fed in batches ({@link HAND_OFF_MS}, {@link HAND_OFF_CHECKS}). It never keeps
 * the process alive; once it has failed, recorded Checks are dropped (its failure was reported).
 */
function startSpanThread(
  deps: { onError(error: Error): void },
  setup: SpanThreadSetup,
): EndedSpans & { close(): Promise<void> } {
  const worker = new Worker(SPAN_THREAD_URL, {
    workerData: setup,
    // Not the process's flags: a Worker refuses V8 heap flags (the image's NODE_OPTIONS).
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 },
  });
  worker.unref();
  let alive = true;
  let closed: (() => void) | undefined;
  worker.on("message", (message: SpanThreadReply) => {
    if (message.kind === "export_failed") deps.onError(new Error(message.message));
    else closed?.();
  });
  worker.on("error", (error) => deps.onError(error));
  worker.on("exit", () => {
    alive = false;
    closed?.();
  });
  const batches = createSpanBatches();
  let timer: NodeJS.Timeout | undefined;
  const handOff = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = batches.take();
    // Copied, never transferred: the first ArrayBuffer detached in an isolate turns off V8's
    // "no detached buffers" assumption for good, and every typed array access of the Check path
    // (gRPC framing, protobuf decoding) checks for it from then on: a loop over a Buffer ran
    // 1.5–1.8× slower once one had been.
    if (batch && alive) worker.postMessage(batch);
  };
  return {
    add(span, end, failedStep, record, response) {
      batches.add(span, end, failedStep, record, response);
      if (batches.checks >= HAND_OFF_CHECKS) handOff();
      else if (!timer) timer = setTimeout(handOff, HAND_OFF_MS).unref();
    },
    close() {
      handOff();
      return new Promise<void>((resolve) => {
        if (!alive) return resolve();
        closed = () => {
          void worker.terminate();
          resolve();
        };
        worker.postMessage({ kind: "close" } satisfies SpanThreadRequest);
      });
    },
  };
}

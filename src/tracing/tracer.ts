import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { CheckSpan, CheckTracer } from "../authz/index.js";
import { PACKAGE_ROOT } from "../package-root.js";
import { callerSpan } from "./caller-span.js";
import { createSpanBatches, type EndedSpans, RecordedSpan } from "./check-span.js";
import { checkRequestHeader } from "./headers.js";
import { randomIds } from "./random-ids.js";
import type { SpanThreadReply, SpanThreadRequest, SpanThreadSetup } from "./span-protocol.js";

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

/** Where sampled Checks go when they end: by default the span thread, which exports them. */
export interface SpanSink extends EndedSpans {
  /** Sends what is still held and stops. */
  close(): Promise<void>;
}

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
 * The span thread's heap. The spans of a hand-off wait in its young generation for the exporter,
 * a few MB of them: with 8 MB of it, V8 scavenged some 18 times a second at 4000 Checks/s,
 * copying those spans each time and promoting them into two major GCs a second; 32 MB took some
 * 7 µs a Check off the span thread and V8's GC threads.
 */
const SPAN_THREAD_HEAP = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 32 };

/**
 * Loads the OpenTelemetry SDK (a dynamic import: a sidecar without `tracing.endpoint` never loads
 * it) and returns the Check tracer. A Check continues the request's W3C `traceparent` (else its
 * B3 headers, single or multi), read as the SDK's propagators read them (caller-span.ts), and is
 * sampled parent-based: the caller's sampled flag, else the SDK's ratio sampler for a new trace.
 * That happens here, on the Check path, which also chooses the span ids (the decision log's). A
 * sampled Check only records its steps' times; a thread of its own makes them SDK spans, batches
 * them and sends them as OTLP/HTTP protobuf to `endpoint`, so the SDK's span objects and the
 * export cost the Check path nothing (`deps.spans` takes the Checks instead, for tests). Nothing
 * is registered globally. Export failures go to `onError`, never to a Check.
 */
export async function createCheckTracer<R>(
  deps: { onError(error: Error): void; spans?: SpanSink },
  options: TracingOptions,
): Promise<CheckTracing<R>> {
  const [api, sdk, core] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/sdk-trace-base"),
    import("@opentelemetry/core"),
  ]);
  // The parent-based sampler: a Check with a caller's span follows its sampled flag (caller-span.ts
  // reads it); a new trace is the root sampler's, the SDK's ratio sampler itself.
  const root = new sdk.TraceIdRatioBasedSampler(options.sampleRatio);
  const sampledRoot = (traceId: string) =>
    root.shouldSample(api.ROOT_CONTEXT, traceId).decision ===
    api.SamplingDecision.RECORD_AND_SAMPLED;
  const thread =
    deps.spans ??
    startSpanThread(deps, {
      endpoint: options.endpoint,
      serviceName: options.serviceName,
      serviceVersion: options.serviceVersion,
      batchDelayMs: options.batchDelayMs ?? 1_000,
    });
  const ids = randomIds();
  return {
    start(request) {
      const caller = callerSpan((name) => checkRequestHeader(request, name), core.parseTraceParent);
      const traceId = caller?.traceId ?? ids.traceId();
      const spanId = ids.spanId();
      if (!(caller ? caller.sampled : sampledRoot(traceId))) return unrecordedSpan(traceId, spanId);
      const parentSpanId = caller?.spanId ?? "";
      const traceState = caller?.traceState
        ? new core.TraceState(caller.traceState).serialize()
        : "";
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
function startSpanThread(deps: { onError(error: Error): void }, setup: SpanThreadSetup): SpanSink {
  const worker = new Worker(SPAN_THREAD_URL, {
    workerData: setup,
    // Not the process's flags: a Worker refuses V8 heap flags (the image's NODE_OPTIONS).
    execArgv: [],
    resourceLimits: SPAN_THREAD_HEAP,
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

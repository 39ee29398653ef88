import { randomFillSync } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { Attributes, TextMapGetter } from "@opentelemetry/api";
import type {
  CheckResponse,
  CheckSpan,
  CheckStep,
  CheckTracer,
  DecisionRecord,
} from "../authz/index.js";
import { PACKAGE_ROOT } from "../package-root.js";
import { checkRequestHeader } from "./headers.js";
import {
  type CheckSpanRecord,
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
/** Recorded Checks wait at most this long, or for this many, before they go to the span thread. */
const HAND_OFF_MS = 20;
const HAND_OFF_CHECKS = 256;

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
      const check: CheckSpanRecord = {
        traceId,
        spanId,
        start: now(),
        end: 0,
        steps: [],
        attributes: {},
      };
      if (continued) check.parentSpanId = caller.spanId;
      const traceState = caller?.traceState?.serialize();
      if (traceState) check.traceState = traceState;
      return recordedSpan(check, ids, thread.hand);
    },
    close: () => thread.close(),
  };
}

/** Epoch milliseconds, to a fraction of a microsecond (as the SDK's own clock). */
const now = () => performance.timeOrigin + performance.now();

/** A Check the sampler left out: its ids (the decision log's), and nothing recorded. */
function unrecordedSpan(traceId: string, spanId: string): CheckSpan {
  return { traceId, spanId, step() {}, evaluation: () => () => {}, end() {} };
}

/** A sampled Check's span: one step open at a time, and the policy evaluation beside it. */
function recordedSpan(
  check: CheckSpanRecord,
  ids: RandomIds,
  hand: (check: CheckSpanRecord) => void,
): CheckSpan {
  let open: CheckSpanRecord["steps"][number] | undefined;
  return {
    traceId: check.traceId,
    spanId: check.spanId,
    step(step: CheckStep) {
      const at = now();
      if (open) open[3] = at;
      open = [step, ids.spanId(), at, 0];
      check.steps.push(open);
    },
    evaluation() {
      const evaluating: CheckSpanRecord["steps"][number] = [
        "policy_evaluation",
        ids.spanId(),
        now(),
        0,
      ];
      check.steps.push(evaluating);
      return () => {
        evaluating[3] = now();
      };
    },
    end(record: DecisionRecord, response: CheckResponse) {
      check.end = now();
      if (open) open[3] = check.end;
      if (record.error) {
        // The step that threw is the one still open. The code names the class of failure; the
        // message may quote a credential's claims, so it stays in the decision log.
        if (open) open[4] = record.error.code;
        check.error = record.error.code;
      }
      check.attributes = decisionAttributes(record, response);
      hand(check);
    },
  };
}

interface RandomIds {
  traceId(): string;
  spanId(): string;
}

/** W3C trace and span ids in lower-case hex, cut from a pool of random bytes refilled as used. */
function randomIds(): RandomIds {
  const pool = Buffer.alloc(4096);
  let offset = pool.length;
  const take = (bytes: number) => {
    if (offset + bytes > pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    offset += bytes;
    return pool.toString("hex", offset - bytes, offset);
  };
  // An all-zero id is invalid (W3C): at 2^-64 per span, redraw rather than ever send one.
  const valid = (bytes: number, zero: string) => () => {
    let id = take(bytes);
    while (id === zero) id = take(bytes);
    return id;
  };
  return { traceId: valid(16, "0".repeat(32)), spanId: valid(8, "0".repeat(16)) };
}

/**
 * The span thread, fed in batches ({@link HAND_OFF_MS}, {@link HAND_OFF_CHECKS}). It never keeps
 * the process alive; once it has failed, recorded Checks are dropped (its failure was reported).
 */
function startSpanThread(deps: { onError(error: Error): void }, setup: SpanThreadSetup) {
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
  const post = (request: SpanThreadRequest) => alive && worker.postMessage(request);
  let pending: CheckSpanRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  const handOff = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length > 0) post({ kind: "spans", checks: pending });
    pending = [];
  };
  return {
    hand(check: CheckSpanRecord) {
      pending.push(check);
      if (pending.length >= HAND_OFF_CHECKS) handOff();
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
        post({ kind: "close" });
      });
    },
  };
}

/**
 * What a Check span says about its decision: ids, outcome, cache, policy revision and the verified
 * subject. Never the input, a token, a claim or a header.
 */
export function decisionAttributes(record: DecisionRecord, response: CheckResponse): Attributes {
  const attributes: Attributes = {
    "authz.decision_id": record.decisionId,
    "authz.allowed": response.status.code === 0,
    "authz.cache": record.cache ?? "bypass",
    "authz.dry_run": record.dryRun,
    "rpc.grpc.status_code": response.status.code,
    // A deny without an HTTP response is answered 403 by Envoy's ext_authz filter.
    "http.response.status_code":
      response.status.code === 0 ? 200 : (response.deniedResponse?.status.code ?? 403),
  };
  if (record.revision !== undefined) attributes["authz.policy.revision"] = record.revision;
  if (record.identity?.subject) attributes["authz.subject"] = record.identity.subject;
  if (record.error) attributes["authz.error"] = record.error.code;
  return attributes;
}

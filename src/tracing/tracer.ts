import type { Attributes, Context, Span, TextMapGetter, Tracer } from "@opentelemetry/api";
import type { ExportResult } from "@opentelemetry/core";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import type {
  CheckResponse,
  CheckSpan,
  CheckStep,
  CheckTracer,
  DecisionRecord,
} from "../authz/index.js";
import { checkRequestHeader } from "./headers.js";

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

/** The gRPC method a Check span is named after (OpenTelemetry RPC conventions: `service/method`). */
const RPC_SERVICE = "envoy.service.auth.v3.Authorization";
const SPAN_NAME = `${RPC_SERVICE}/Check`;
/** What the propagators read from a CheckRequest: its HTTP headers (external_auth.proto). */
const HEADERS: TextMapGetter<unknown> = {
  keys: () => ["traceparent", "tracestate", "b3", "x-b3-traceid", "x-b3-spanid", "x-b3-sampled"],
  get: (request, key) => checkRequestHeader(request, key.toLowerCase()),
};

/**
 * Loads the OpenTelemetry SDK (a dynamic import: a sidecar without `tracing.endpoint` never loads
 * it) and returns the Check tracer: spans are batched and sent as OTLP/HTTP protobuf to
 * `endpoint`. A Check continues the request's W3C `traceparent` (else its B3 headers, single or
 * multi); nothing is registered globally. Export failures go to `onError`, never to a Check.
 */
export async function createCheckTracer<R>(
  deps: { onError(error: Error): void },
  options: TracingOptions,
): Promise<CheckTracing<R>> {
  const [api, sdk, { OTLPTraceExporter }, core, { B3Propagator }, { resourceFromAttributes }] =
    await Promise.all([
      import("@opentelemetry/api"),
      import("@opentelemetry/sdk-trace-base"),
      import("@opentelemetry/exporter-trace-otlp-proto"),
      import("@opentelemetry/core"),
      import("@opentelemetry/propagator-b3"),
      import("@opentelemetry/resources"),
    ]);
  const otlp = new OTLPTraceExporter({ url: options.endpoint });
  // The SDK hands failed exports to its global diagnostic logger only; report them here.
  const exporter: SpanExporter = {
    export: (spans, done) =>
      otlp.export(spans, (result: ExportResult) => {
        if (result.error) deps.onError(result.error);
        done(result);
      }),
    shutdown: () => otlp.shutdown(),
    forceFlush: () => otlp.forceFlush(),
  };
  const provider = new sdk.BasicTracerProvider({
    resource: resourceFromAttributes({
      "service.name": options.serviceName,
      "service.version": options.serviceVersion,
    }),
    sampler: new sdk.ParentBasedSampler({
      root: new sdk.TraceIdRatioBasedSampler(options.sampleRatio),
    }),
    spanProcessors: [
      new sdk.BatchSpanProcessor(exporter, {
        scheduledDelayMillis: options.batchDelayMs ?? 1_000,
      }),
    ],
  });
  const tracer = provider.getTracer("openclaw-authz", options.serviceVersion);
  // The composite applies each in turn and the last found wins: W3C over B3 when both came.
  const propagator = new core.CompositePropagator({
    propagators: [new B3Propagator(), new core.W3CTraceContextPropagator()],
  });
  const serverSpan = { kind: api.SpanKind.SERVER, attributes: RPC_ATTRIBUTES };
  return {
    start(request) {
      const parent = propagator.extract(api.ROOT_CONTEXT, request, HEADERS);
      const check = tracer.startSpan(SPAN_NAME, serverSpan, parent);
      return checkSpan(tracer, check, api.trace.setSpan(parent, check), api.SpanStatusCode.ERROR);
    },
    close: () => provider.shutdown(),
  };
}

const RPC_ATTRIBUTES: Attributes = {
  "rpc.system": "grpc",
  "rpc.service": RPC_SERVICE,
  "rpc.method": "Check",
};

/** The Check span: one child open at a time, and the policy evaluation's beside it. */
function checkSpan(tracer: Tracer, check: Span, context: Context, error: number): CheckSpan {
  const { traceId, spanId } = check.spanContext();
  let open: Span | undefined;
  return {
    traceId,
    spanId,
    step(step: CheckStep) {
      open?.end();
      open = tracer.startSpan(step, undefined, context);
    },
    evaluation() {
      const evaluating = tracer.startSpan("policy_evaluation", undefined, context);
      return () => evaluating.end();
    },
    end(record: DecisionRecord, response: CheckResponse) {
      if (record.error) {
        // The step that threw is the one still open. The code names the class of failure; the
        // message may quote a credential's claims, so it stays in the decision log.
        open?.setStatus({ code: error, message: record.error.code });
        check.setStatus({ code: error, message: record.error.code });
      }
      open?.end();
      check.setAttributes(decisionAttributes(record, response));
      check.end();
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

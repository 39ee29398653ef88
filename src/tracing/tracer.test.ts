import { ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { B3Propagator } from "@opentelemetry/propagator-b3";
import {
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import type { CheckSpan, DecisionRecord } from "../authz/index.js";
import type { CheckIds, RecordedSpan } from "./check-span.js";
import { checkRequestHeader } from "./headers.js";
import { createCheckTracer } from "./tracer.js";

const T = "4bf92f3577b34da6a3ce929d0e0e4736";
const S = "00f067aa0ba902b7";
type Headers = Record<string, string>;
const request = (headers: Headers) => ({ attributes: { request: { http: { headers } } } });
const record: DecisionRecord = {
  decisionId: "d-1",
  timestamp: new Date(0),
  allowed: true,
  dryRun: false,
  metrics: {},
};

/** The tracer at `sampleRatio`, its ended Checks kept instead of sent to a span thread. */
async function tracer(sampleRatio: number) {
  const ended: CheckIds[] = [];
  const tracing = await createCheckTracer<unknown>(
    {
      onError: (error) => {
        throw error;
      },
      spans: { add: (span: RecordedSpan) => ended.push(span.ids), close: async () => {} },
    },
    {
      endpoint: "http://127.0.0.1:9/v1/traces",
      sampleRatio,
      serviceName: "s",
      serviceVersion: "0",
    },
  );
  /** The span a Check with `headers` gets, and the ids recorded for it (undefined: not sampled). */
  const check = (headers: Headers): { span: CheckSpan; recorded: CheckIds | undefined } => {
    const before = ended.length;
    const span = tracing.start(request(headers));
    span.step("input");
    span.end(record, { status: { code: 0 } });
    return { span, recorded: ended.length > before ? ended[ended.length - 1] : undefined };
  };
  return { check, close: () => tracing.close() };
}

/** The SDK's own decision: its propagators, its parent-based sampler over its ratio sampler. */
function sdkSampled(headers: Headers, traceId: string, sampleRatio: number): boolean {
  const getter = {
    keys: () => [],
    get: (carrier: Headers, key: string) => checkRequestHeader(request(carrier), key),
  };
  const w3c = new W3CTraceContextPropagator().extract(ROOT_CONTEXT, headers, getter);
  const parent = trace.getSpanContext(w3c)
    ? w3c
    : new B3Propagator().extract(ROOT_CONTEXT, headers, getter);
  const sampler = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampleRatio) });
  const { decision } = sampler.shouldSample(parent, traceId, "Check", SpanKind.SERVER, {}, []);
  return decision === SamplingDecision.RECORD_AND_SAMPLED;
}

const CALLERS: Headers[] = [
  {},
  { traceparent: `00-${T}-${S}-01` },
  { traceparent: `00-${T}-${S}-00` },
  { traceparent: `00-${T}-${S}-01`, tracestate: "vendor=x" },
  { traceparent: `00-${T}-${S}-0` },
  { traceparent: "00-garbage", b3: `${T}-${S}-0` },
  { b3: `${T}-${S}-1` },
  { b3: `${T}-${S}` },
  { b3: "0" },
  { "x-b3-traceid": T, "x-b3-spanid": S, "x-b3-sampled": "1" },
  { "x-b3-traceid": T, "x-b3-spanid": S, "x-b3-sampled": "0" },
  { "x-b3-traceid": T, "x-b3-spanid": S, "x-b3-sampled": "maybe" },
];

describe("createCheckTracer: which Checks are recorded, with what ids", () => {
  it("samples parent-based: a caller's flag decides, a new trace is sampled at the ratio", async () => {
    const at = async (ratio: number) => await tracer(ratio);
    const all = await at(1);
    const none = await at(0);
    expect(all.check({}).recorded).toBeDefined();
    expect(none.check({}).recorded).toBeUndefined();
    // A caller's sampled=0 is not traced even at ratio 1; its sampled=1 is, even at ratio 0.
    expect(all.check({ traceparent: `00-${T}-${S}-00` }).recorded).toBeUndefined();
    expect(none.check({ traceparent: `00-${T}-${S}-01` }).recorded).toBeDefined();
    expect(
      none.check({ "x-b3-traceid": T, "x-b3-spanid": S, "x-b3-flags": "1" }).recorded,
    ).toBeDefined();
    await all.close();
    await none.close();
  });

  it("decides as the SDK's ParentBasedSampler over its TraceIdRatioBasedSampler, for every caller and ratio", async () => {
    for (const ratio of [0, 0.25, 0.5, 1]) {
      const tracing = await tracer(ratio);
      let sampled = 0;
      for (let i = 0; i < 50; i++) {
        for (const headers of CALLERS) {
          const { span, recorded } = tracing.check(headers);
          const expected = sdkSampled(headers, span.traceId, ratio);
          expect(recorded !== undefined, `${ratio} ${JSON.stringify(headers)}`).toBe(expected);
          if (expected) sampled++;
        }
      }
      if (ratio === 0.5) expect(sampled).toBeGreaterThan(0);
      await tracing.close();
    }
  });

  it("continues the caller's trace: its trace id, its span as parent, its tracestate", async () => {
    const tracing = await tracer(1);
    const { span, recorded } = tracing.check({
      traceparent: `00-${T}-${S}-01`,
      tracestate: "b=2, a=1",
    });
    expect(recorded).toEqual({
      traceId: T,
      spanId: span.spanId,
      parentSpanId: S,
      traceState: "b=2,a=1",
    });
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
    const fresh = tracing.check({ traceparent: `00-${"0".repeat(32)}-${S}-01` });
    expect(fresh.recorded).toMatchObject({ parentSpanId: "", traceState: "" });
    expect(fresh.span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh.span.traceId).not.toBe("0".repeat(32));
    // Not sampled: the decision log still gets the ids, the caller's trace among them.
    const unsampled = tracing.check({ traceparent: `00-${T}-${S}-00` });
    expect(unsampled.span.traceId).toBe(T);
    expect(unsampled.span.spanId).toMatch(/^[0-9a-f]{16}$/);
    await tracing.close();
  });
});

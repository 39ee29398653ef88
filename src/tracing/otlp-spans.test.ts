/**
 * Recorded Checks, encoded as OTLP by the span thread: the spans they stand for (here made with
 * the SDK itself from the same batch, as the sidecar did before it wrote OTLP directly), and the
 * encoding, byte for byte the SDK's own serializer's of those spans.
 */
import * as api from "@opentelemetry/api";
import { millisToHrTime, TraceState } from "@opentelemetry/core";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  type ReadableSpan,
} from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import type { CheckResponse, CheckStep, DecisionRecord } from "../authz/index.js";
import { AuthzError } from "../errors.js";
import { type CheckIds, createSpanBatches, RecordedSpan } from "./check-span.js";
import { createSpanEncoder } from "./otlp-spans.js";
import {
  forEachCheck,
  NUMBER,
  RPC_ATTRIBUTES,
  SPAN_NAME,
  type SpanBatch,
  STEPS,
  stepAt,
  TEXT,
} from "./span-protocol.js";

const SERVICE = { serviceName: "authz-test", serviceVersion: "1.2.3" };

const record = (extra: Partial<DecisionRecord> = {}): DecisionRecord => ({
  decisionId: "d-1",
  timestamp: new Date(0),
  allowed: true,
  dryRun: false,
  metrics: {},
  ...extra,
});
const ok: CheckResponse = { status: { code: 0 } };
const denied = (status?: number): CheckResponse => ({
  status: { code: 7 },
  ...(status ? { deniedResponse: { status: { code: status } } } : {}),
});
const ids = (extra: Partial<CheckIds> = {}): CheckIds => ({
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  spanId: "00f067aa0ba902b7",
  parentSpanId: "b7ad6b7169203331",
  traceState: "",
  ...extra,
});

interface Check {
  ids?: CheckIds;
  steps: CheckStep[];
  end: [DecisionRecord, CheckResponse];
}

/** Records the Checks as the authorizer drives a span; the batch as the span thread gets it. */
function batchOf(checks: Check[]): SpanBatch {
  const batches = createSpanBatches();
  for (const check of checks) {
    const span = new RecordedSpan(check.ids ?? ids(), batches);
    for (const step of check.steps) {
      if (step === "policy_evaluation") span.evaluation()();
      else span.step(step);
    }
    span.end(...check.end);
  }
  const batch = batches.take();
  if (!batch) throw new Error("no batch");
  expect(batches.take()).toBeUndefined();
  return structuredClone(batch);
}

/** Step span ids 1, 2, 3, …: as bytes for the encoder, as hex for the SDK. */
function stepIds() {
  let next = 0;
  return {
    bytes: (into: Uint8Array, offset: number) =>
      into.set(Buffer.from((++next).toString(16).padStart(16, "0"), "hex"), offset),
    hex: () => (++next).toString(16).padStart(16, "0"),
  };
}

/** The SDK's spans of a batch: the step spans, then the Check span, per Check. */
function sdkSpansOf(batch: SpanBatch): ReadableSpan[] {
  const spans: ReadableSpan[] = [];
  const stepId = stepIds().hex;
  const next = { traceId: "", spanId: "" };
  const tracer = new BasicTracerProvider({
    resource: resourceFromAttributes({
      "service.name": SERVICE.serviceName,
      "service.version": SERVICE.serviceVersion,
    }),
    sampler: new AlwaysOnSampler(),
    idGenerator: { generateTraceId: () => next.traceId, generateSpanId: () => next.spanId },
    spanProcessors: [
      {
        onStart() {},
        onEnd: (span) => spans.push(span),
        forceFlush: async () => {},
        shutdown: async () => {},
      },
    ],
  }).getTracer("openclaw-authz", SERVICE.serviceVersion);
  forEachCheck(batch, (n, t) => {
    const text = (field: number) => batch.texts[t + field] ?? "";
    const number = (field: number) => batch.numbers[n + field] ?? 0;
    const time = (field: number) => millisToHrTime(number(field));
    const traceState = text(TEXT.traceState) ? new TraceState(text(TEXT.traceState)) : undefined;
    const parent = text(TEXT.parentSpanId)
      ? api.trace.setSpanContext(api.ROOT_CONTEXT, {
          traceId: text(TEXT.traceId),
          spanId: text(TEXT.parentSpanId),
          traceFlags: api.TraceFlags.SAMPLED,
          isRemote: true,
          ...(traceState ? { traceState } : {}),
        })
      : api.ROOT_CONTEXT;
    next.traceId = text(TEXT.traceId);
    next.spanId = text(TEXT.spanId);
    const kind = api.SpanKind.SERVER;
    const root = tracer.startSpan(
      SPAN_NAME,
      { kind, attributes: RPC_ATTRIBUTES, startTime: time(NUMBER.start) },
      parent,
    );
    const context = api.trace.setSpan(parent, root);
    const error = { code: api.SpanStatusCode.ERROR, message: text(TEXT.error) };
    for (let step = 0; step < number(NUMBER.steps); step++) {
      const s = stepAt(0, step);
      next.spanId = stepId();
      const name = STEPS[number(s)] as string;
      const span = tracer.startSpan(name, { startTime: time(s + 1) }, context);
      if (step === number(NUMBER.failedStep)) span.setStatus(error);
      span.end(time(s + 2));
    }
    if (error.message) root.setStatus(error);
    const grpcStatus = number(NUMBER.grpcStatus);
    root.setAttributes({
      "authz.decision_id": text(TEXT.decisionId),
      "authz.allowed": grpcStatus === 0,
      "authz.cache": text(TEXT.cache),
      "authz.dry_run": number(NUMBER.dryRun) === 1,
      "rpc.grpc.status_code": grpcStatus,
      "http.response.status_code": number(NUMBER.httpStatus),
    });
    if (number(NUMBER.hasRevision)) root.setAttribute("authz.policy.revision", text(TEXT.revision));
    if (text(TEXT.subject)) root.setAttribute("authz.subject", text(TEXT.subject));
    if (error.message) root.setAttribute("authz.error", error.message);
    root.end(time(NUMBER.end));
  });
  return spans;
}

/** The Checks' spans, after checking that the span thread's encoding of them is the SDK's. */
function traced(checks: Check[]): ReadableSpan[] {
  const batch = batchOf(checks);
  const encoder = createSpanEncoder({ ...SERVICE, spanId: stepIds().bytes });
  encoder.add(batch);
  const spans = sdkSpansOf(batch);
  expect(encoder.spans).toBe(spans.length);
  const ours = encoder.take()?.body;
  const sdk = ProtobufTraceSerializer.serializeRequest(spans);
  expect(Buffer.from(ours ?? []).toString("hex")).toBe(Buffer.from(sdk ?? []).toString("hex"));
  expect(encoder.take()).toBeUndefined();
  return spans;
}
const rootOf = (spans: ReadableSpan[]) => spans.find((span) => span.name === SPAN_NAME);

describe("recorded Checks, encoded as OTLP", () => {
  it("a Check is its server span, the caller's child, and a child span per step, each ending where the next begins", () => {
    const steps: CheckStep[] = [
      "input",
      "identity",
      "revocation",
      "cache",
      "policy_evaluation",
      "decision_log",
    ];
    const spans = traced([{ ids: ids({ traceState: "k=v,a=b" }), steps, end: [record(), ok] }]);
    const root = rootOf(spans) as ReadableSpan;
    expect(root.kind).toBe(api.SpanKind.SERVER);
    expect(root.spanContext()).toMatchObject({ traceId: ids().traceId, spanId: ids().spanId });
    expect(root.spanContext().traceState?.serialize()).toBe("k=v,a=b");
    expect(root.parentSpanContext).toMatchObject({ spanId: ids().parentSpanId, isRemote: true });
    const children = spans.filter((span) => span !== root);
    expect(children.map((span) => span.name)).toEqual(steps);
    for (const child of children) {
      expect(child.kind).toBe(api.SpanKind.INTERNAL);
      expect(child.parentSpanContext?.spanId).toBe(ids().spanId);
      expect(child.status.code).toBe(api.SpanStatusCode.UNSET);
    }
    // The sequential steps (all but the evaluation, beside the cache step) chain end to start.
    const sequential = children.filter((span) => span.name !== "policy_evaluation");
    for (let i = 1; i < sequential.length; i++) {
      expect(sequential[i]?.startTime).toEqual(sequential[i - 1]?.endTime);
    }
    expect(sequential.at(-1)?.endTime).toEqual(root.endTime);
  });

  it.each([
    ["allowed", ok, 200, true],
    ["a plain deny (Envoy answers 403)", denied(), 403, false],
    ["a deny with the policy's status", denied(429), 429, false],
  ])("%s: http.response.status_code %s", (_, response, status, allowed) => {
    const root = rootOf(traced([{ steps: ["input"], end: [record(), response] }]));
    expect(root?.attributes).toMatchObject({
      "http.response.status_code": status,
      "authz.allowed": allowed,
      "rpc.grpc.status_code": response.status.code,
    });
  });

  it("names the verified subject, the revision and the cache outcome; nothing of an anonymous caller", () => {
    const verified = record({
      cache: "hit",
      revision: "r9",
      dryRun: true,
      identity: { authenticated: true, methods: ["jwt"], subject: "spiffe://tëst/ünïcode" },
    });
    const anonymous = record({ identity: { authenticated: false, methods: [] } });
    const unrevised = record({ revision: "" });
    const spans = traced([
      { steps: ["input"], end: [verified, ok] },
      { ids: ids({ spanId: "d".repeat(16), parentSpanId: "" }), steps: [], end: [anonymous, ok] },
      { steps: ["input"], end: [unrevised, ok] },
    ]);
    const [first, second, third] = spans.filter((span) => span.name === SPAN_NAME);
    expect(first?.attributes).toEqual({
      ...RPC_ATTRIBUTES,
      "authz.decision_id": "d-1",
      "authz.allowed": true,
      "authz.cache": "hit",
      "authz.dry_run": true,
      "rpc.grpc.status_code": 0,
      "http.response.status_code": 200,
      "authz.policy.revision": "r9",
      "authz.subject": "spiffe://tëst/ünïcode",
    });
    expect(second?.attributes).not.toHaveProperty("authz.subject");
    expect(second?.attributes["authz.cache"]).toBe("bypass");
    // No policy decided: no revision. A bundle without one has revision "".
    expect(second?.attributes).not.toHaveProperty("authz.policy.revision");
    expect(third?.attributes["authz.policy.revision"]).toBe("");
    // A new trace: no parent.
    expect(second?.parentSpanContext).toBeUndefined();
  });

  it("marks the failed step and the Check span with the error code, never its message", () => {
    const failed = record({ error: new AuthzError("identity_invalid", "jwt: sub=alice@corp") });
    const spans = traced([{ steps: ["input", "identity"], end: [failed, denied(401)] }]);
    const error = { code: api.SpanStatusCode.ERROR, message: "identity_invalid" };
    expect(spans.find((span) => span.name === "identity")?.status).toEqual(error);
    expect(rootOf(spans)?.status).toEqual(error);
    expect(spans.find((span) => span.name === "input")?.status.code).toBe(api.SpanStatusCode.UNSET);
    expect(rootOf(spans)?.attributes["authz.error"]).toBe("identity_invalid");
    expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain("alice@corp");
  });

  it("a request of many Checks (lengths past one byte) is still the SDK's", () => {
    const steps: CheckStep[] = ["input", "rate_limit", "identity", "cache", "rate_limit"];
    const many = Array.from({ length: 300 }, (_, i) => ({
      ids: ids({ spanId: (i + 1).toString(16).padStart(16, "0") }),
      steps,
      end: [record({ decisionId: `d-${i}`, revision: "r".repeat(i) }), ok] as Check["end"],
    }));
    expect(traced(many)).toHaveLength(300 * (steps.length + 1));
  });
});

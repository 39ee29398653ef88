import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { hrTimeToNanoseconds } from "@opentelemetry/core";
import { resourceFromAttributes } from "@opentelemetry/resources";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import type { CheckResponse, CheckStep, DecisionRecord } from "../authz/index.js";
import { AuthzError } from "../errors.js";
import { type CheckIds, createSpanBatches, RecordedSpan } from "./check-span.js";
import { SPAN_NAME } from "./span-protocol.js";
import { readSpans, type SpanSource } from "./span-records.js";

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
  traceId: "a".repeat(32),
  spanId: "b".repeat(16),
  parentSpanId: "c".repeat(16),
  traceState: "",
  ...extra,
});

let stepIds = 0;
const source: SpanSource = {
  resource: resourceFromAttributes({ "service.name": "s" }),
  scope: { name: "openclaw-authz", version: "0" },
  spanId: () => (++stepIds).toString(16).padStart(16, "0"),
};

/** Records Checks as the authorizer drives a span, hands their batch over and reads it back. */
function traced(
  checks: Array<{ ids?: CheckIds; steps: CheckStep[]; end: [DecisionRecord, CheckResponse] }>,
) {
  const batches = createSpanBatches();
  for (const check of checks) {
    const span = new RecordedSpan(check.ids ?? ids(), batches);
    for (const step of check.steps) {
      if (step !== "policy_evaluation") span.step(step);
      else span.evaluation()();
    }
    span.end(...check.end);
  }
  const batch = batches.take();
  if (!batch) throw new Error("no batch");
  expect(batches.take()).toBeUndefined();
  // What the span thread gets is a structured clone.
  const spans: ReadableSpan[] = [];
  readSpans(structuredClone(batch), source, (span) => spans.push(span));
  return spans;
}
const rootOf = (spans: ReadableSpan[]) => spans.find((span) => span.name === SPAN_NAME);

describe("a recorded Check, read on the span thread", () => {
  it("is its server span, the caller's child, and a child span per step, each ending where the next begins", () => {
    const steps: CheckStep[] = [
      "input",
      "identity",
      "revocation",
      "cache",
      "policy_evaluation",
      "decision_log",
    ];
    const spans = traced([{ ids: ids({ traceState: "k=v" }), steps, end: [record(), ok] }]);
    const root = rootOf(spans) as ReadableSpan;
    expect(root.kind).toBe(SpanKind.SERVER);
    expect(root.spanContext()).toMatchObject({ traceId: "a".repeat(32), spanId: "b".repeat(16) });
    expect(root.spanContext().traceState?.serialize()).toBe("k=v");
    expect(root.parentSpanContext).toMatchObject({ spanId: "c".repeat(16), isRemote: true });
    const children = spans.filter((span) => span !== root);
    expect(children.map((span) => span.name)).toEqual(steps);
    for (const child of children) {
      expect(child.kind).toBe(SpanKind.INTERNAL);
      expect(child.parentSpanContext).toBe(root.spanContext());
      expect(child.spanContext().traceId).toBe("a".repeat(32));
      expect(child.status.code).toBe(SpanStatusCode.UNSET);
      expect(hrTimeToNanoseconds(child.startTime)).toBeLessThanOrEqual(
        hrTimeToNanoseconds(child.endTime),
      );
    }
    expect(new Set(spans.map((span) => span.spanContext().spanId)).size).toBe(spans.length);
    // The sequential steps (all but the evaluation, beside the cache step) chain end to start.
    const sequential = children.filter((span) => span.name !== "policy_evaluation");
    for (let i = 1; i < sequential.length; i++) {
      expect(sequential[i]?.startTime).toEqual(sequential[i - 1]?.endTime);
    }
    expect(sequential.at(-1)?.endTime).toEqual(root.endTime);
    expect(children[0]?.startTime).not.toEqual([0, 0]);
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
      identity: { authenticated: true, methods: ["jwt"], subject: "alice" },
    });
    const anonymous = record({ identity: { authenticated: false, methods: [] } });
    const unrevised = record({ revision: "" });
    const spans = traced([
      { steps: ["input"], end: [verified, ok] },
      { ids: ids({ spanId: "d".repeat(16), parentSpanId: "" }), steps: [], end: [anonymous, ok] },
      { steps: ["input"], end: [unrevised, ok] },
    ]);
    const [first, second, third] = spans.filter((span) => span.name === SPAN_NAME);
    expect(third?.attributes["authz.policy.revision"]).toBe("");
    expect(first?.attributes).toEqual({
      "rpc.system": "grpc",
      "rpc.service": "envoy.service.auth.v3.Authorization",
      "rpc.method": "Check",
      "authz.decision_id": "d-1",
      "authz.allowed": true,
      "authz.cache": "hit",
      "authz.dry_run": false,
      "rpc.grpc.status_code": 0,
      "http.response.status_code": 200,
      "authz.policy.revision": "r9",
      "authz.subject": "alice",
    });
    expect(second?.attributes).not.toHaveProperty("authz.subject");
    // No policy decided: no revision. A bundle without one has revision "".
    expect(second?.attributes).not.toHaveProperty("authz.policy.revision");
    expect(second?.attributes["authz.cache"]).toBe("bypass");
    // A new trace: no parent.
    expect(second?.parentSpanContext).toBeUndefined();
  });

  it("marks the failed step and the Check span with the error code, never its message", () => {
    const failed = record({ error: new AuthzError("identity_invalid", "jwt: sub=alice@corp") });
    const spans = traced([{ steps: ["input", "identity"], end: [failed, denied(401)] }]);
    const root = rootOf(spans);
    const identity = spans.find((span) => span.name === "identity");
    const input = spans.find((span) => span.name === "input");
    expect(identity?.status).toEqual({ code: SpanStatusCode.ERROR, message: "identity_invalid" });
    expect(root?.status).toEqual({ code: SpanStatusCode.ERROR, message: "identity_invalid" });
    expect(input?.status.code).toBe(SpanStatusCode.UNSET);
    expect(root?.attributes["authz.error"]).toBe("identity_invalid");
    expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain("alice@corp");
  });
});

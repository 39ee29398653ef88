import { describe, expect, it } from "vitest";
import { AuthzError, InvalidCredential } from "../errors.js";
import { createAuthorizer } from "./authorizer.js";
import type { AuthzSteps, CheckTracer, DecisionRecord } from "./types.js";

const clock = { now: () => new Date("2026-11-21T00:00:00Z"), nowNs: () => 1_000n };

/** A tracer that writes down what the authorizer tells it, in order. */
function recordingTracer() {
  const calls: string[] = [];
  const tracer: CheckTracer<string> = {
    start(request) {
      calls.push(`start ${request}`);
      return {
        traceId: "t".repeat(32),
        spanId: "s".repeat(16),
        step: (step) => calls.push(`step ${step}`),
        evaluation() {
          calls.push("evaluation");
          return () => calls.push("evaluation end");
        },
        end: (record) => calls.push(`end ${record.decisionId} ${record.error?.code ?? "ok"}`),
      };
    },
  };
  return { tracer, calls };
}

function steps(overrides: Partial<AuthzSteps<string>> = {}) {
  const records: DecisionRecord[] = [];
  const all: AuthzSteps<string> = {
    input: { build: async (path) => ({ document: { path }, credentials: {} }) },
    identity: {
      verify: async () => ({
        identity: { authenticated: true, methods: ["jwt"], subject: "alice" },
        suspicious: [],
        expiresAtMs: undefined,
      }),
    },
    policies: {
      current: () => ({
        revision: "r1",
        id: "p1",
        evaluate: async () => ({ defined: true, value: true }),
      }),
    },
    decisions: { record: (record) => records.push(record) },
    clock,
    newDecisionId: () => "d-1",
    ...overrides,
  };
  return { all, records };
}

describe("createAuthorizer with a tracer", () => {
  it("opens one span per Check and a step span for each step, in order, the evaluation inside the cache step", async () => {
    const { tracer, calls } = recordingTracer();
    const { all, records } = steps({
      tracer,
      cache: {
        decide: async (_input, _request, evaluate) => ({
          evaluation: await evaluate(),
          cache: "miss",
        }),
      },
    });
    await createAuthorizer(all, { dryRun: false }).check("/x");
    expect(calls).toEqual([
      "start /x",
      "step input",
      "step identity",
      "step revocation",
      "step cache",
      "evaluation",
      "evaluation end",
      "step decision_log",
      "end d-1 ok",
    ]);
    expect(records[0]?.trace).toEqual({ traceId: "t".repeat(32), spanId: "s".repeat(16) });
  });

  it("ends the span of a check that failed in a step, and still hands the decision to the log", async () => {
    const { tracer, calls } = recordingTracer();
    const { all, records } = steps({
      tracer,
      revocations: { revoked: () => "subject alice" },
    });
    const outcome = await createAuthorizer(all, { dryRun: false }).check("/x");
    expect(outcome.record.error).toBeInstanceOf(InvalidCredential);
    expect(calls).toEqual([
      "start /x",
      "step input",
      "step identity",
      "step revocation",
      "step decision_log",
      "end d-1 identity_invalid",
    ]);
    expect(records).toHaveLength(1);
  });

  it("reads the request's trace and request ids when the check failed before its input was built, and only then", async () => {
    const trace = { traceId: "a".repeat(32), spanId: "b".repeat(16) };
    const asked: string[] = [];
    const requestContext = (request: string) => {
      asked.push(request);
      return { trace, requestId: "rq-1" };
    };
    const unparsable = steps({
      requestContext,
      input: {
        build: async () => {
          throw new AuthzError("request_parse_error", "bad escape");
        },
      },
    });
    await createAuthorizer(unparsable.all, { dryRun: false }).check("/%zz");
    expect(unparsable.records[0]).toMatchObject({ trace, requestId: "rq-1" });
    const parsed = steps({ requestContext });
    await createAuthorizer(parsed.all, { dryRun: false }).check("/x");
    expect(parsed.records[0]).not.toHaveProperty("requestId");
    expect(asked).toEqual(["/%zz"]);
  });

  it("without a tracer, records no trace ids", async () => {
    const { all, records } = steps();
    await createAuthorizer(all, { dryRun: false }).check("/x");
    expect(records[0]).not.toHaveProperty("trace");
  });
});

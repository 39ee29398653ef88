import { describe, expect, it } from "vitest";
import { AuthzError } from "../errors.js";
import type { Evaluation } from "../policy/index.js";
import { createAuthorizer } from "./authorizer.js";
import type { AuthzSteps, DecisionRecord } from "./types.js";

const clock = { now: () => new Date("2026-11-21T00:00:00Z"), nowNs: () => 1_000n };

/** Every object in `value`, frozen: a step that edits the document throws (ESM is strict). */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function authorizer(
  evaluate: (inputJson: string) => Evaluation,
  options = { dryRun: false },
  overrides: Partial<AuthzSteps<string>> = {},
) {
  const records: DecisionRecord[] = [];
  const steps: AuthzSteps<string> = {
    input: {
      build: async (request) => ({
        document: deepFreeze({ path: request, headers: { accept: "*/*" } }),
        credentials: deepFreeze({ authorization: "Bearer t" }),
      }),
    },
    identity: {
      verify: async () => ({
        identity: { authenticated: false, methods: [] },
        suspicious: [],
        expiresAtMs: undefined,
      }),
    },
    policies: {
      current: () => ({ revision: "r1", id: "p1", evaluate: async (json) => evaluate(json) }),
    },
    decisions: { record: (record) => records.push(record) },
    clock,
    newDecisionId: () => "d-1",
    ...overrides,
  };
  return { authz: createAuthorizer(steps, options), records };
}

const value =
  (v: unknown): (() => Evaluation) =>
  () => ({ defined: true, value: v });

describe("createAuthorizer", () => {
  it("allows on true, with the decision id in dynamic metadata and the input's identity", async () => {
    const { authz, records } = authorizer(value(true));
    const outcome = await authz.check("/x");
    expect(outcome.response).toEqual({
      status: { code: 0 },
      dynamicMetadata: { decision_id: "d-1" },
    });
    expect(records[0]).toMatchObject({
      decisionId: "d-1",
      allowed: true,
      revision: "r1",
      result: true,
    });
    expect(records[0]?.input).toEqual({
      path: "/x",
      headers: { accept: "*/*" },
      identity: { authenticated: false, methods: [] },
    });
  });

  it("gives the policy, the cache and the decision log one document, built once and never changed", async () => {
    let evaluated: unknown;
    let keyed: unknown;
    const { authz, records } = authorizer(
      (json) => {
        evaluated = JSON.parse(json);
        return { defined: true, value: true };
      },
      undefined,
      {
        cache: {
          decide: async (input, _request, evaluate) => {
            keyed = input;
            return { evaluation: await evaluate(), cache: "miss" };
          },
        },
      },
    );
    const outcome = await authz.check("/x");
    expect(outcome.allowed).toBe(true); // the frozen document and credentials were not edited
    expect(records[0]?.input).toBe(keyed);
    expect(evaluated).toEqual(keyed);
    expect(JSON.stringify(evaluated)).not.toContain("Bearer t");
  });

  it.each([
    ["an undefined decision", () => ({ defined: false }) as Evaluation, "policy_undefined"],
    ["a string result", value("yes"), "policy_result_invalid"],
    ["an object without allowed", value({ reason: "x" }), "policy_result_invalid"],
    [
      "an evaluation error",
      () => {
        throw new AuthzError("policy_eval_error", "trap");
      },
      "policy_eval_error",
    ],
    [
      "a foreign throw",
      () => {
        throw "opa-wasm throws strings";
      },
      "internal",
    ],
  ])("fails closed on %s", async (_, evaluate, code) => {
    const { authz, records } = authorizer(evaluate as () => Evaluation);
    const outcome = await authz.check("/x");
    expect(outcome.allowed).toBe(false);
    expect(outcome.response).toEqual({
      status: { code: 7, message: code },
      deniedResponse: { status: { code: 403 }, body: code },
      dynamicMetadata: { decision_id: "d-1" },
    });
    expect(records[0]?.error?.code).toBe(code);
  });

  it("denies every request while no policy is loaded", async () => {
    const { authz } = authorizer(value(true), undefined, {
      policies: { current: () => undefined },
    });
    expect((await authz.check("/x")).response.deniedResponse?.body).toBe("policy_not_loaded");
  });

  it("answers a parse error with HTTP 400 and the parser's message, without evaluating", async () => {
    let evaluated = false;
    const { authz } = authorizer(
      () => {
        evaluated = true;
        return { defined: true, value: true };
      },
      undefined,
      {
        input: {
          build: async () => {
            throw new AuthzError("request_parse_error", 'invalid URL escape "%zz"');
          },
        },
      },
    );
    const outcome = await authz.check("/x");
    expect(evaluated).toBe(false);
    expect(outcome.response.deniedResponse).toEqual({
      status: { code: 400 },
      body: 'request_parse_error: invalid URL escape "%zz"',
    });
  });

  it("dry-run answers OK to a deny but records the real decision", async () => {
    const deny = { allowed: false, http_status: 401, dynamic_metadata: { reason: "r" } };
    const { authz, records } = authorizer(value(deny), { dryRun: true });
    const outcome = await authz.check("/x");
    expect(outcome.response).toEqual({
      status: { code: 0 },
      okResponse: {},
      dynamicMetadata: { reason: "r", decision_id: "d-1" },
    });
    expect(records[0]).toMatchObject({ allowed: false, result: deny, dryRun: true });
  });

  it("dry-run does not mask errors", async () => {
    const { authz } = authorizer(() => ({ defined: false }), { dryRun: true });
    expect((await authz.check("/x")).response.status.code).toBe(7);
  });

  it("a failing decision log never changes the answer", async () => {
    const { authz } = authorizer(value(true), undefined, {
      decisions: {
        record: () => {
          throw new Error("sink down");
        },
      },
    });
    expect((await authz.check("/x")).allowed).toBe(true);
  });

  it("the policy cannot overwrite decision_id", async () => {
    const { authz } = authorizer(
      value({ allowed: true, dynamic_metadata: { decision_id: "forged" } }),
    );
    expect((await authz.check("/x")).response.dynamicMetadata?.decision_id).toBe("d-1");
  });

  it("caps a cached decision at the verified credential's expiry", async () => {
    const requests: unknown[] = [];
    const { authz } = authorizer(value(true), undefined, {
      identity: {
        verify: async () => ({
          identity: { authenticated: true, methods: ["jwt"], subject: "sam" },
          suspicious: [],
          expiresAtMs: 1_764_000_000_000,
        }),
      },
      cache: {
        decide: async (_input, request, evaluate) => {
          requests.push(request);
          return { evaluation: await evaluate(), cache: "miss" };
        },
      },
    });
    await authz.check("/x");
    expect(requests).toEqual([
      { method: "", policyId: "p1", credentialExpiresAtMs: 1_764_000_000_000 },
    ]);
  });
});

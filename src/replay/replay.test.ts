import { describe, expect, it } from "vitest";
import { type LoggedDecision, replay } from "./replay.js";

async function* logged(count: number): AsyncIterable<LoggedDecision> {
  for (let n = 0; n < count; n++) {
    yield {
      decision_id: `d${n}`,
      input: { attributes: { request: { http: { method: "GET", path: `/r/${n}` } } } },
      result: true,
    };
  }
}

describe("replay", () => {
  it("with evaluations answering out of order, tallies and lists changes in log order", async () => {
    // Every third decision flips to a deny; each evaluation takes a different time, so later
    // ones often finish first.
    const report = await replay(
      logged(100),
      async (input) => {
        const n = Number(
          (input.attributes as { request: { http: { path: string } } }).request.http.path.split(
            "/",
          )[2],
        );
        await new Promise((resolve) => setTimeout(resolve, (n * 7) % 5));
        return { defined: true, value: n % 3 !== 0 };
      },
      { examples: 5 },
    );
    expect(report).toMatchObject({ events: 100, replayed: 100, candidateErrors: 0 });
    expect(report.flips).toEqual({ allowToDeny: 34, denyToAllow: 0 });
    expect(report.examples.map((change) => change.decision_id)).toEqual([
      "d0",
      "d3",
      "d6",
      "d9",
      "d12",
    ]);
  });
});

describe("what replay replays", () => {
  const publicGet = { attributes: { request: { http: { method: "GET", path: "/public" } } } };
  const denied = { allowed: false, reason: "authentication required" };
  // The candidate allows everything: any event it evaluates that was logged as a deny flips.
  const allowAll = async () => ({ defined: true, value: true });

  it.each([
    [
      "a credential refused before the policy",
      { error: { code: "identity_invalid" } },
      "identity_invalid",
    ],
    ["keys unavailable", { error: { code: "identity_unavailable" } }, "identity_unavailable"],
    [
      "a request that could not be parsed",
      { error: { code: "request_parse_error" } },
      "request_parse_error",
    ],
    ["no policy loaded", { error: { code: "policy_not_loaded" } }, "policy_not_loaded"],
    ["a deadline passed", { error: { code: "policy_eval_timeout" } }, "policy_eval_timeout"],
    ["an internal fault", { error: { code: "internal" } }, "internal"],
    ["an error without a code", { error: {} }, "error without a code"],
    ["an address over its rate limit", { reason: "rate_limited" }, "rate_limited"],
    ["neither a result nor an error", {}, "no policy result"],
  ])("%s: counted apart by its code, never a flip", async (_, logged, reason) => {
    const report = await replay(
      (async function* () {
        yield { decision_id: "d", input: publicGet, ...logged };
      })(),
      allowAll,
      { examples: 5 },
    );
    expect(report).toMatchObject({
      events: 1,
      replayed: 0,
      skipped: 1,
      skippedBy: { [reason]: 1 },
    });
    expect(report.flips).toEqual({ allowToDeny: 0, denyToAllow: 0 });
  });

  it.each([
    ["the policy's deny", { result: denied }],
    [
      "a dry-run deny (judged by its result, not by the OK Envoy got)",
      { result: denied, dry_run: true, allowed: true },
    ],
    ["an undefined decision", { error: { code: "policy_undefined" } }],
    ["a malformed result", { error: { code: "policy_result_invalid" } }],
    ["an evaluation error", { error: { code: "policy_eval_error" } }],
    [
      "a refusal after the policy answered (a tenant rate limit): judged by the result",
      { result: denied, allowed: false, reason: "rate_limited" },
    ],
  ])("%s: replayed, and a candidate that allows flips it", async (_, logged) => {
    const report = await replay(
      (async function* () {
        yield { decision_id: "d", input: publicGet, ...logged } as LoggedDecision;
      })(),
      allowAll,
      { examples: 5 },
    );
    expect(report).toMatchObject({ events: 1, replayed: 1, skipped: 0, skippedBy: {} });
    expect(report.flips).toEqual({ allowToDeny: 0, denyToAllow: 1 });
  });

  it("an event without an input is skipped as `no input`", async () => {
    const report = await replay(
      (async function* () {
        yield { decision_id: "d", result: true };
      })(),
      allowAll,
      { examples: 5 },
    );
    expect(report).toMatchObject({ replayed: 0, skipped: 1, skippedBy: { "no input": 1 } });
  });
});

describe("lines that are not decisions", () => {
  it("(the hash chain's control events, lines not JSON) are counted as others, not as events", async () => {
    const report = await replay(
      (async function* () {
        yield { kind: "checkpoint", seq: 7 };
        yield undefined;
        yield { decision_id: "d", result: true, input: {} };
        yield ["not", "an", "event"];
      })(),
      async () => ({ defined: true, value: true }),
      { examples: 5 },
    );
    expect(report).toMatchObject({ others: 3, events: 1, replayed: 1, skipped: 0 });
  });
});

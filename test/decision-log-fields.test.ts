/**
 * Our decision log event against OPA's, field by field: OPA's documented fields
 * (test/fixtures/opa-decision-log-fields.json, its source cited there) and timer names, the
 * events `toDecisionEvent` really builds, and docs/decision-log-fields.md, which must name every
 * field and timer that is not plainly OPA's, and only those.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DecisionRecord } from "../src/authz/index.js";
import { toDecisionEvent } from "../src/decision-log/event.js";
import { createMasker, DEFAULT_ERASE } from "../src/decision-log/index.js";
import { AuthzError } from "../src/errors.js";
import { ROOT } from "./support/paths.js";

const OPA = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/opa-decision-log-fields.json"), "utf8"),
) as { fields: Record<string, string>; timers: string[] };
const DOC = readFileSync(join(ROOT, "docs/decision-log-fields.md"), "utf8");

/** The rows of the table under `## heading`: first cell (unquoted) → second cell. */
function rows(heading: string): Map<string, string> {
  const section = DOC.split(/^## /m).find((s) => s.startsWith(`${heading}\n`)) ?? "";
  const found = new Map<string, string>();
  for (const match of section.matchAll(/^\| `([a-z_]+)` \| ([^|]+?) \|/gm))
    found.set(match[1] as string, (match[2] as string).trim());
  return found;
}

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const base = (): DecisionRecord => ({
  decisionId: "d-1",
  timestamp: new Date("2026-12-03T00:00:00Z"),
  allowed: true,
  dryRun: false,
  cache: "miss",
  revision: "r1",
  metrics: {
    timer_input_build_ns: 1,
    timer_identity_ns: 2,
    timer_cache_ns: 3,
    timer_rego_query_eval_ns: 4,
    timer_ratelimit_ns: 5,
    timer_server_handler_ns: 10,
  },
  rateLimits: [
    {
      scope: "tenant",
      key: "tenant:acme",
      tier: "standard",
      outcome: "allowed",
      remaining: 59,
      source: "local",
      retryAfterSeconds: 0,
      headers: {},
    },
  ],
  identity: { authenticated: true, methods: ["jwt"], subject: "alice" },
  suspicious: ["proxy header from 192.0.2.1"],
  trace: { traceId: TRACE, spanId: "00f067aa0ba902b7" },
  input: {
    attributes: {
      request: {
        http: {
          method: "POST",
          headers: { cookie: "s=1", "x-request-id": "rq-1", "content-type": "application/json" },
        },
      },
    },
    parsed_body: { password: "hunter2" },
  },
  result: { allowed: true, reason: "ok" },
});
const context = {
  path: "envoy/authz/allow",
  labels: { id: "i-1", version: "0.1.0", cluster: "eu" },
  masks: createMasker({ erase: DEFAULT_ERASE, mask: [] }),
};
const allowed = toDecisionEvent(base(), { status: { code: 0 } }, context);
const failed = toDecisionEvent(
  { ...base(), result: undefined, error: new AuthzError("policy_eval_error", "boom") },
  { status: { code: 7 } },
  context,
);
const ours = new Map(
  [allowed, failed].flatMap((event) => Object.entries(event) as Array<[string, unknown]>),
);

/** A value's type in the words of OPA's table. */
function typeOf(value: unknown): string {
  if (Array.isArray(value))
    return value.every((v) => typeof v === "string") ? "array[string]" : "array";
  return value === null ? "null" : typeof value;
}

describe("the decision log event against OPA's (docs/decision-log-fields.md)", () => {
  const opaRows = rows("OPA's fields");
  const added = rows("Fields we add");

  it("the page has a row for every one of OPA's fields, and only those", () => {
    expect([...opaRows.keys()].sort()).toEqual(Object.keys(OPA.fields).sort());
  });

  it("every OPA field the page says we produce is in our events, with OPA's type unless the page says it differs", () => {
    for (const [field, here] of opaRows) {
      expect(["same", "differs", "not produced"], field).toContain(here);
      if (here === "not produced") {
        expect(ours.has(field), `${field} is produced after all`).toBe(false);
        continue;
      }
      expect(ours.has(field), `${field} missing from our events`).toBe(true);
      const expected = OPA.fields[field] as string;
      const actual = typeOf(ours.get(field));
      if (here === "same" && expected !== "any") expect(actual, field).toBe(expected);
      if (here === "differs") expect(actual, field).not.toBe(expected);
    }
  });

  it("every field of ours that OPA lacks is on the page's list of additions, and each addition is produced", () => {
    const extra = [...ours.keys()].filter((field) => !(field in OPA.fields));
    expect(extra.sort()).toEqual([...added.keys()].sort());
  });

  it("uses OPA's timer names where OPA has one, and the page names each timer of ours", () => {
    const timers = rows("Timers");
    expect(Object.keys(allowed.metrics).sort()).toEqual([...timers.keys()].sort());
    for (const [timer, here] of timers) {
      expect(here === "same", `${timer}: the page says ${here}`).toBe(OPA.timers.includes(timer));
    }
  });

  it("erased lists what was removed and masked what was replaced, as OPA's fields mean", () => {
    expect(allowed.erased).toContain("/input/attributes/request/http/headers/cookie");
    expect(allowed.masked).toEqual(["/input/parsed_body/password"]);
    expect(allowed.labels).toEqual({ id: "i-1", version: "0.1.0", cluster: "eu" });
  });
});

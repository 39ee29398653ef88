import { describe, expect, it } from "vitest";
import type { CheckResponse, DecisionRecord } from "../authz/index.js";
import { AuthzError } from "../errors.js";
import { checkRequestHeader } from "./headers.js";
import { decisionAttributes } from "./tracer.js";

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

describe("decisionAttributes", () => {
  it.each([
    ["allowed", ok, 200, true],
    ["a plain deny (Envoy answers 403)", denied(), 403, false],
    ["a deny with the policy's status", denied(429), 429, false],
  ])("%s: http.response.status_code %s", (_, response, status, allowed) => {
    expect(decisionAttributes(record(), response)).toMatchObject({
      "http.response.status_code": status,
      "authz.allowed": allowed,
      "rpc.grpc.status_code": response.status.code,
    });
  });

  it("names the verified subject, the revision and the cache outcome; nothing of an anonymous caller", () => {
    const verified = record({
      cache: "hit",
      revision: "r9",
      identity: { authenticated: true, methods: ["jwt"], subject: "alice", jwt: { claims: {} } },
    });
    expect(decisionAttributes(verified, ok)).toEqual({
      "authz.decision_id": "d-1",
      "authz.allowed": true,
      "authz.cache": "hit",
      "authz.dry_run": false,
      "rpc.grpc.status_code": 0,
      "http.response.status_code": 200,
      "authz.policy.revision": "r9",
      "authz.subject": "alice",
    });
    const anonymous = record({ identity: { authenticated: false, methods: [] } });
    expect(decisionAttributes(anonymous, ok)).not.toHaveProperty("authz.subject");
  });

  it("gives a failed check's error code, never its message", () => {
    const failed = record({ error: new AuthzError("identity_invalid", "jwt: sub=alice@corp") });
    const attributes = decisionAttributes(failed, denied(401));
    expect(attributes["authz.error"]).toBe("identity_invalid");
    expect(JSON.stringify(attributes)).not.toContain("alice@corp");
  });
});

describe("checkRequestHeader", () => {
  const http = (value: object) => ({ attributes: { request: { http: value } } });
  it("reads the headers map, else Envoy's raw header_map (case-insensitive keys)", () => {
    expect(checkRequestHeader(http({ headers: { traceparent: "a" } }), "traceparent")).toBe("a");
    const raw = http({
      headerMap: { headers: [{ key: "TraceParent", rawValue: Buffer.from("b") }] },
    });
    expect(checkRequestHeader(raw, "traceparent")).toBe("b");
    expect(checkRequestHeader(http({}), "traceparent")).toBeUndefined();
    expect(checkRequestHeader(undefined, "traceparent")).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import type { DecisionRecord } from "../authz/index.js";
import { toDecisionEvent } from "./event.js";
import { createMasker, DEFAULT_ERASE, MASKED } from "./masking.js";

const record = (): DecisionRecord => ({
  decisionId: "d-1",
  timestamp: new Date("2026-11-21T00:00:00Z"),
  allowed: false,
  dryRun: false,
  cache: "miss",
  revision: "r7",
  metrics: { timer_rego_query_eval_ns: 1000 },
  identity: {
    authenticated: true,
    methods: ["jwt"],
    subject: "alice",
    jwt: { claims: { email: "a@x" } },
  },
  result: { allowed: false, reason: "missing scope ticket:update" },
  input: {
    attributes: {
      source: { certificate: "-----BEGIN%20CERTIFICATE-----" },
      request: {
        http: {
          method: "PATCH",
          body: "password=hunter2",
          rawBody: "cGFzc3dvcmQ9aHVudGVyMg==",
          headers: {
            authorization: "Bearer eyJ.secret.sig",
            cookie: "s=1",
            "x-amzn-oidc-data": "alb",
            "x-amzn-oidc-accesstoken": "at",
            "x-api-key": "k-123",
            accept: "*/*",
          },
        },
      },
    },
  },
});

const context = {
  path: "envoy/authz/allow",
  labels: { id: "i-1", version: "0.1.0" },
  masks: createMasker({
    erase: [...DEFAULT_ERASE, "/input/attributes/request/http/headers/x-api-key"],
    mask: ["/input/identity/jwt/claims/email"],
  }),
};

describe("toDecisionEvent", () => {
  it("is OPA's decision log event, with the policy's reason, and masked", () => {
    const input = record();
    (input.input as Record<string, unknown>).identity = input.identity;
    const event = toDecisionEvent(input, { status: { code: 7 } }, context);
    expect(event).toMatchObject({
      decision_id: "d-1",
      timestamp: "2026-11-21T00:00:00.000Z",
      path: "envoy/authz/allow",
      result: { allowed: false },
      reason: "missing scope ticket:update",
      bundles: { authz: { revision: "r7" } },
      metrics: { timer_rego_query_eval_ns: 1000 },
      labels: { id: "i-1", version: "0.1.0" },
      identity: { subject: "alice", methods: ["jwt"] },
      cache: "miss",
      dry_run: false,
      allowed: false,
    });
    const text = JSON.stringify(event);
    for (const secret of [
      "eyJ.secret.sig",
      "s=1",
      "hunter2",
      "cGFzc3dvcmQ9",
      "k-123",
      "a@x",
      "BEGIN",
      '"alb"',
      '"at"',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain(MASKED);
    expect(event.erased).toEqual(
      expect.arrayContaining([
        "/input/attributes/request/http/headers/authorization",
        "/input/attributes/request/http/headers/x-amzn-oidc-data",
        "/input/attributes/request/http/headers/x-api-key",
        "/input/attributes/request/http/body",
      ]),
    );
    expect(event.masked).toEqual(["/input/identity/jwt/claims/email"]);
    expect(event.erased).not.toContain("/input/identity/jwt/claims/email");
    expect(
      (event.input as { attributes: { request: { http: { headers: object } } } }).attributes.request
        .http.headers,
    ).toEqual({ accept: "*/*" });
  });

  it("does not change the record it logs: the policy's input and the (cached) result keep their secrets", () => {
    const original = record();
    const input = original.input as Record<string, unknown>;
    input.parsed_query = { access_token: ["qs-secret"] };
    input.parsed_body = { user: { password: "body-secret" }, items: [{ api_key: "k" }] };
    (input.attributes as { request: { http: Record<string, unknown> } }).request.http.path =
      "/x?token=path-secret";
    original.result = { allowed: false, headers: { authorization: "Bearer upstream-secret" } };
    const before = JSON.stringify([original.input, original.result]);
    const event = toDecisionEvent(original, { status: { code: 7 } }, context);
    expect(JSON.stringify([original.input, original.result])).toBe(before);
    const logged = JSON.stringify(event);
    for (const secret of ["qs-secret", "body-secret", '"k"', "path-secret", "upstream-secret"]) {
      expect(before).toContain(secret);
      expect(logged).not.toContain(secret);
    }
    expect(event.masked).toEqual(
      expect.arrayContaining([
        "/input/parsed_query/access_token",
        "/input/parsed_body/user/password",
        "/input/parsed_body/items/0/api_key",
        "/input/attributes/request/http/path",
        "/result/headers/authorization",
      ]),
    );
  });

  it("carries the error and its reason instead of a result", () => {
    const failed = {
      ...record(),
      result: undefined,
      error: Object.assign(new Error("jwt: expired"), { code: "identity_invalid" }),
    } as DecisionRecord;
    const event = toDecisionEvent(failed, { status: { code: 7 } }, context);
    expect(event.error).toEqual({ code: "identity_invalid", message: "jwt: expired" });
    expect(event.reason).toBe("jwt: expired");
    expect(event.result).toBeUndefined();
  });

  const withHeaders = (headers: Record<string, string>): DecisionRecord => ({
    ...record(),
    input: { attributes: { request: { http: { method: "GET", headers } } } },
  });
  const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  const PARENT = "00f067aa0ba902b7";

  it("carries OPA's trace_id and span_id from the request's traceparent when tracing is off, and req_id from x-request-id", () => {
    const event = toDecisionEvent(
      withHeaders({ traceparent: `00-${TRACE}-${PARENT}-01`, "x-request-id": "rq-7" }),
      { status: { code: 0 } },
      context,
    );
    expect(event).toMatchObject({ trace_id: TRACE, span_id: PARENT, req_id: "rq-7" });
  });

  it("carries the Check span's ids when tracing is on, not the caller's", () => {
    const traced = {
      ...withHeaders({ traceparent: `00-${TRACE}-${PARENT}-01` }),
      trace: { traceId: TRACE, spanId: "a1b2c3d4e5f60718" },
    };
    const event = toDecisionEvent(traced, { status: { code: 0 } }, context);
    expect(event).toMatchObject({ trace_id: TRACE, span_id: "a1b2c3d4e5f60718" });
  });

  it("reads the traceparent from Envoy's raw header_map too", () => {
    const raw = {
      ...record(),
      input: {
        attributes: {
          request: {
            http: {
              headerMap: {
                headers: [
                  {
                    key: "traceparent",
                    rawValue: Buffer.from(`00-${TRACE}-${PARENT}-00`).toString("base64"),
                  },
                ],
              },
            },
          },
        },
      },
    };
    expect(toDecisionEvent(raw, { status: { code: 0 } }, context)).toMatchObject({
      trace_id: TRACE,
      span_id: PARENT,
    });
  });

  it.each([
    ["none", {}],
    ["an invalid traceparent", { traceparent: `00-${"0".repeat(32)}-${PARENT}-01` }],
    ["a traceparent with bad hex", { traceparent: `00-${TRACE.toUpperCase()}-${PARENT}-01` }],
  ])("has no trace_id, span_id or req_id with %s", (_, headers: Record<string, string>) => {
    const event = toDecisionEvent(withHeaders(headers), { status: { code: 0 } }, context);
    for (const key of ["trace_id", "span_id", "req_id"]) expect(event).not.toHaveProperty(key);
  });
});

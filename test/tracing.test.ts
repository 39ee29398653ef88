/**
 * Tracing end to end: a real sidecar sends its spans over OTLP/HTTP protobuf to a real Jaeger
 * (test/support/jaeger.ts), and Jaeger's query API shows the tree: the Check span continues the
 * caller's `traceparent` (or B3 headers), the step spans are its children, and its attributes
 * name the decision without a token. The decision log carries the same ids, and the caller's when
 * tracing is off.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkClient } from "./support/client.js";
import { es256Issuer, jwksFile, type SigningKey, sign, signingKey } from "./support/idp.js";
import { type Jaeger, type JaegerTrace, startJaeger, tagsOf } from "./support/jaeger.js";
import { built } from "./support/paths.js";
import { buildBundle, run, type Sidecar, startSidecar } from "./support/processes.js";
import { jsonLineWith, until } from "./support/wait.js";

const ISSUER = "https://idp.trace.test/";
const POLICY = `package envoy.authz

import rego.v1

default allow := {"allowed": false, "http_status": 403}

allow := {"allowed": true} if input.identity.subject == "alice"
`;
const STEPS = ["input", "identity", "revocation", "cache", "policy_evaluation", "decision_log"];
const CHECK = "envoy.service.auth.v3.Authorization/Check";

const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const stopping: Array<() => Promise<unknown>> = [];
let key: SigningKey;
let token: string;
let config: Record<string, unknown>;

const request = (headers: Record<string, string>) => ({
  attributes: {
    request: {
      http: {
        method: "GET",
        path: "/ok",
        headers: { authorization: `Bearer ${token}`, ...headers },
      },
    },
  },
});

async function check(sidecar: Sidecar, headers: Record<string, string>): Promise<string> {
  const client = checkClient(sidecar.grpc);
  const result = await client.check(request(headers));
  client.close();
  if (!result.ok) throw new Error(`check failed: ${result.details}`);
  expect(result.response.status).toEqual({});
  return (result.response.dynamicMetadata as { decision_id: string }).decision_id;
}

/** The trace once Jaeger has all `spans` of it (spans are batched for up to a second). */
async function traceWith(jaeger: Jaeger, traceId: string, spans: number): Promise<JaegerTrace> {
  let trace: JaegerTrace | undefined;
  const complete = await until(
    async () => {
      trace = await jaeger.trace(traceId);
      return (trace?.spans.length ?? 0) >= spans;
    },
    20_000,
    200,
  );
  if (!complete || !trace)
    throw new Error(`jaeger has ${trace?.spans.length ?? 0} spans of ${traceId}`);
  return trace;
}

beforeAll(async () => {
  key = await signingKey("trace-1", "ES256");
  token = await sign(key, { iss: ISSUER, aud: "openclaw", sub: "alice" });
  const dir = await mkdtemp(join(tmpdir(), "oc-trace-"));
  await writeFile(join(dir, "policy.rego"), POLICY);
  config = {
    policy: { bundle: await buildBundle(dir, "envoy/authz/allow") },
    identity: { jwt: { issuers: [es256Issuer(ISSUER, await jwksFile(key))] } },
    decisionLog: { console: true, labels: { cluster: "trace-test" } },
  };
});

afterAll(async () => {
  for (const stop of stopping.reverse()) await stop();
});

describe("tracing on, to Jaeger", () => {
  let jaeger: Jaeger;
  let sidecar: Sidecar;

  beforeAll(async () => {
    jaeger = await startJaeger();
    stopping.push(() => jaeger.stop());
    sidecar = await startSidecar({
      ...config,
      tracing: { endpoint: jaeger.otlpUrl, sampleRatio: 1, serviceName: "authz-trace-test" },
    });
    stopping.push(() => sidecar.stop());
  }, 90_000);

  it("continues the traceparent: the Check span's parent is the caller's span, the step spans its children, the decision in its attributes", async () => {
    const [traceId, parentId] = [hex(16), hex(8)];
    const decisionId = await check(sidecar, {
      traceparent: `00-${traceId}-${parentId}-01`,
      "x-request-id": "req-trace-1",
    });
    const trace = await traceWith(jaeger, traceId, 1 + STEPS.length);
    const root = trace.spans.find((span) => span.operationName === CHECK);
    expect(root?.references).toEqual([{ refType: "CHILD_OF", traceID: traceId, spanID: parentId }]);
    const children = trace.spans.filter((span) => span !== root);
    expect(children.map((span) => span.operationName).sort()).toEqual([...STEPS].sort());
    for (const child of children) {
      expect(child.references, child.operationName).toEqual([
        { refType: "CHILD_OF", traceID: traceId, spanID: root?.spanID },
      ]);
    }
    const event = await jsonLineWith<Record<string, unknown>>(sidecar.stdout, decisionId);
    expect(tagsOf(root as NonNullable<typeof root>)).toMatchObject({
      "span.kind": "server",
      "rpc.system": "grpc",
      "rpc.method": "Check",
      "authz.decision_id": decisionId,
      "authz.allowed": true,
      "http.response.status_code": 200,
      "authz.cache": "miss",
      "authz.policy.revision": (event.bundles as { authz: { revision: string } }).authz.revision,
      "authz.subject": "alice",
    });
    expect(trace.processes[root?.processID as string]?.serviceName).toBe("authz-trace-test");
    expect(JSON.stringify(trace)).not.toContain(token.split(".")[2]);
    // The decision log names the same span, and Envoy's request id.
    expect(event).toMatchObject({
      trace_id: traceId,
      span_id: root?.spanID,
      req_id: "req-trace-1",
      labels: { cluster: "trace-test", id: expect.any(String), version: expect.any(String) },
    });
  });

  it("a cached decision has no policy evaluation span, and says hit", async () => {
    const traceId = hex(16);
    await check(sidecar, { traceparent: `00-${traceId}-${hex(8)}-01` });
    const trace = await traceWith(jaeger, traceId, STEPS.length);
    const names = trace.spans.map((span) => span.operationName);
    expect(names.sort()).toEqual([CHECK, ...STEPS.filter((s) => s !== "policy_evaluation")].sort());
    const root = trace.spans.find((span) => span.operationName === CHECK);
    expect(tagsOf(root as NonNullable<typeof root>)["authz.cache"]).toBe("hit");
  });

  it("continues B3 multi-header context when no traceparent came", async () => {
    const [traceId, parentId] = [hex(16), hex(8)];
    await check(sidecar, { "x-b3-traceid": traceId, "x-b3-spanid": parentId, "x-b3-sampled": "1" });
    const trace = await traceWith(jaeger, traceId, STEPS.length);
    const root = trace.spans.find((span) => span.operationName === CHECK);
    expect(root?.references).toEqual([{ refType: "CHILD_OF", traceID: traceId, spanID: parentId }]);
  });

  it("a malformed traceparent or B3 starts a new trace, a caller's sampled=0 is followed, and the answer is the same", async () => {
    const malformed: Array<Record<string, string>> = [
      { traceparent: `00-${hex(16)}-${hex(8)}` },
      { traceparent: `00-${"0".repeat(32)}-${hex(8)}-01` },
      { traceparent: `ff-${hex(16)}-${hex(8)}-01`, b3: "not-b3" },
      { "x-b3-traceid": hex(16), "x-b3-spanid": "short", "x-b3-sampled": "1" },
    ];
    for (const headers of malformed) {
      // check() holds the answer to an allow, as without the headers.
      const decisionId = await check(sidecar, headers);
      const event = await jsonLineWith<{ trace_id: string }>(sidecar.stdout, decisionId);
      const trace = await traceWith(jaeger, event.trace_id, STEPS.length);
      const root = trace.spans.find((span) => span.operationName === CHECK);
      expect(root?.references, JSON.stringify(headers)).toEqual([]);
    }
    const [traceId, parentId] = [hex(16), hex(8)];
    const decisionId = await check(sidecar, { traceparent: `00-${traceId}-${parentId}-00` });
    const event = await jsonLineWith<Record<string, unknown>>(sidecar.stdout, decisionId);
    // Not sampled, yet the decision log names the caller's trace and the Check's own span id.
    expect(event.trace_id).toBe(traceId);
    expect(event.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(event.span_id).not.toBe(parentId);
  });
});

describe("a trace backend that is down", () => {
  it("changes no answer, and the failed exports are logged", async () => {
    const sidecar = await startSidecar({
      ...config,
      // Nothing listens on port 9 (discard) here: every export is refused.
      tracing: { endpoint: "http://127.0.0.1:9/v1/traces", sampleRatio: 1 },
    });
    stopping.push(() => sidecar.stop());
    const decisionId = await check(sidecar, { traceparent: `00-${hex(16)}-${hex(8)}-01` });
    expect(decisionId).toMatch(/^[0-9a-f-]{36}$/);
    // The exporter retries a refused connection with backoff for some seconds before it gives up.
    const logged = () => sidecar.stderr.some((line) => line.includes("span export failed"));
    expect(await until(logged, 30_000, 100)).toBe(true);
  });
});

describe("tracing off", () => {
  it("the decision log still carries the caller's trace_id and span_id from the traceparent", async () => {
    const sidecar = await startSidecar(config);
    stopping.push(() => sidecar.stop());
    const [traceId, parentId] = [hex(16), hex(8)];
    const decisionId = await check(sidecar, {
      traceparent: `00-${traceId}-${parentId}-01`,
      "x-request-id": "req-untraced",
    });
    const event = await jsonLineWith<Record<string, unknown>>(sidecar.stdout, decisionId);
    expect(event).toMatchObject({ trace_id: traceId, span_id: parentId, req_id: "req-untraced" });
    // A request that cannot be parsed has no input in its event: the ids come from the request.
    const [badTrace, badParent] = [hex(16), hex(8)];
    const client = checkClient(sidecar.grpc);
    const result = await client.check({
      attributes: {
        request: {
          http: {
            method: "GET",
            path: "/bad%zzescape",
            headers: { traceparent: `00-${badTrace}-${badParent}-01`, "x-request-id": "req-bad" },
          },
        },
      },
    });
    client.close();
    if (!result.ok) throw new Error(result.details);
    const badId = (result.response.dynamicMetadata as { decision_id: string }).decision_id;
    const refused = await jsonLineWith<Record<string, unknown>>(sidecar.stdout, badId);
    expect(refused).toMatchObject({
      error: { code: "request_parse_error" },
      trace_id: badTrace,
      span_id: badParent,
      req_id: "req-bad",
    });
    expect(refused).not.toHaveProperty("input");
  });
});

describe("the SDK is loaded only when tracing is on", () => {
  it("the sidecar's modules load no OpenTelemetry SDK module; createCheckTracer loads them", async () => {
    // The OpenTelemetry packages are CommonJS: whatever loaded them is in require.cache. The API
    // package is not counted: prom-client loads it anyway (its process CPU metric's exemplars).
    const script = `
      import { createRequire } from "node:module";
      const cache = createRequire(import.meta.url).cache;
      const sdk = /\\/@opentelemetry\\/(?!api\\/)/;
      const loaded = () => Object.keys(cache).filter((k) => sdk.test(k)).length;
      for (const m of ["sidecar/index.js", "sidecar/pipeline.js", "grpc/index.js", "decision-log/index.js"])
        await import(${JSON.stringify(built("dist"))} + "/" + m);
      const off = loaded();
      const { createCheckTracer } = await import(${JSON.stringify(built("dist/tracing/index.js"))});
      const tracer = await createCheckTracer({ onError() {} },
        { endpoint: "http://127.0.0.1:9/v1/traces", sampleRatio: 1, serviceName: "s", serviceVersion: "0" });
      console.log(JSON.stringify({ off, on: loaded() }));
      await tracer.close();`;
    const { stdout } = await run("node", ["--input-type=module", "-e", script]);
    const { off, on } = JSON.parse(stdout) as { off: number; on: number };
    expect(off).toBe(0);
    expect(on).toBeGreaterThan(0);
  });
});

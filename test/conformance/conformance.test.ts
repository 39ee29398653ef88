/**
 * Differential conformance: the same CheckRequest bytes go to openclaw-authz (policy compiled by
 * the pinned `opa build -t wasm`) and to the Go reference oracle (OPA's Go evaluator, see
 * test/oracle/main.go for why it stands in for opa-envoy-plugin), both over real gRPC.
 */
import { join } from "node:path";
import { parse } from "lossless-json";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallResult, checkClient } from "../support/client.js";
import { ROOT } from "../support/paths.js";
import {
  buildBundle,
  type Sidecar,
  type Started,
  startOracle,
  startSidecar,
} from "../support/processes.js";
import {
  type ConformanceCase,
  FAIL_CLOSED_CASES,
  INPUT_CASES,
  KNOWN_DIFFERENCES,
  PARSE_ERROR_CASES,
  RESULT_CASES,
} from "./cases.js";

const POLICY_DIR = join(ROOT, "test/conformance/policy");
const DECISION = "conformance/decision";

type Pair = {
  ours: ReturnType<typeof checkClient>;
  oracle: ReturnType<typeof checkClient>;
  stop(): Promise<void>;
};

async function startPair(
  policy: Record<string, unknown>,
  oracleFlags: string[],
  dir = POLICY_DIR,
  decision = DECISION,
): Promise<Pair> {
  const bundle = await buildBundle(dir, decision);
  const sidecar: Sidecar = await startSidecar({
    policy: { bundle, decision, ...policy },
    decisionLog: { console: false },
  });
  const oracle: Started & { grpc: string } = await startOracle(dir, decision, oracleFlags);
  const ours = checkClient(sidecar.grpc);
  const theirs = checkClient(oracle.grpc);
  return {
    ours,
    oracle: theirs,
    async stop() {
      ours.close();
      theirs.close();
      await Promise.all([sidecar.stop(), oracle.stop()]);
    },
  };
}

/** Comparable form: headers sorted (the peer iterates Go maps), decision_id dropped, echo parsed. */
function normalize(result: CallResult): unknown {
  if (!result.ok) return result;
  const response = structuredClone(result.response) as Record<string, Record<string, unknown>>;
  const metadata = response.dynamicMetadata as Record<string, unknown> | undefined;
  if (metadata) {
    expect(typeof metadata.decision_id).toBe("string");
    delete metadata.decision_id;
    if (Object.keys(metadata).length === 0) delete response.dynamicMetadata;
  }
  for (const part of [response.okResponse, response.deniedResponse]) {
    if (!part) continue;
    for (const key of ["headers", "responseHeadersToAdd", "queryParametersToSet"]) {
      const list = part[key] as Array<Record<string, unknown>> | undefined;
      if (!list) continue;
      part[key] = list
        .map((item) => {
          const header = item.header as { key: string; value: string } | undefined;
          if (header?.key === "x-echo")
            return { header: { key: "x-echo", value: parse(header.value) } };
          return item;
        })
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    }
  }
  return response;
}

async function both(pair: Pair, kase: ConformanceCase) {
  const [ours, oracle] = await Promise.all([
    pair.ours.check(kase.request),
    pair.oracle.check(kase.request),
  ]);
  return { ours, oracle };
}

describe("conformance with the reference oracle", () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair({}, []);
  });
  afterAll(() => pair?.stop());

  it("the largest Check message is the peer's default, 4 MiB: past it both say RESOURCE_EXHAUSTED", async () => {
    const sized = (bytes: number) => ({
      attributes: {
        request: {
          http: { method: "POST", headers: { "x-case": "bool-true" }, body: "x".repeat(bytes) },
        },
      },
    });
    const under = await both(pair, { name: "3 MiB", request: sized(3 * 2 ** 20) });
    expect(normalize(under.ours)).toEqual(normalize(under.oracle));
    expect(under.ours.ok).toBe(true);
    const over = await both(pair, { name: "5 MiB", request: sized(5 * 2 ** 20) });
    expect({ ours: over.ours.ok, oracle: over.oracle.ok }).toEqual({ ours: false, oracle: false });
    const codes = [over.ours, over.oracle].map((result) => (result.ok ? 0 : result.code));
    expect(codes).toEqual([8, 8]);
  });

  it.each([...RESULT_CASES, ...INPUT_CASES].map((c) => [c.name, c] as const))(
    "%s: identical CheckResponse",
    async (_, kase) => {
      const { ours, oracle } = await both(pair, kase);
      expect(oracle.ok).toBe(true);
      expect(normalize(ours)).toEqual(normalize(oracle));
    },
  );

  it.each(PARSE_ERROR_CASES.map((c) => [c.name, c] as const))(
    "%s: both deny with HTTP 400",
    async (_, kase) => {
      const { ours, oracle } = await both(pair, kase);
      for (const result of [ours, oracle]) {
        expect(result.ok).toBe(true);
        const response = (result as { response: Record<string, Record<string, unknown>> }).response;
        expect(response.status).toMatchObject({ code: 7 });
        expect(response.deniedResponse?.status).toEqual({ code: "BadRequest" });
        expect(response.deniedResponse?.body).toMatch(/^request_parse_error: /);
      }
    },
  );

  it.each(FAIL_CLOSED_CASES.map((c) => [c.name, c] as const))(
    "%s: peer says UNKNOWN, we deny 403",
    async (_, kase) => {
      const { ours, oracle } = await both(pair, kase);
      expect(oracle).toMatchObject({ ok: false, code: 2 });
      expect(ours.ok).toBe(true);
      const response = (ours as { response: Record<string, Record<string, unknown>> }).response;
      expect(response.status).toMatchObject({ code: 7 });
      expect(response.deniedResponse?.status).toEqual({ code: "Forbidden" });
      expect(response.deniedResponse?.body).toMatch(/^(policy_undefined|policy_result_invalid)$/);
    },
  );

  // Deliberate differences (docs/differences.md): both answers are pinned, so a change on either
  // side shows up here rather than passing silently.
  it.each(KNOWN_DIFFERENCES.map((c) => [c.name, c] as const))(
    "%s: known difference, the peer passes it to Envoy, we deny 403",
    async (_, kase) => {
      const { ours, oracle } = await both(pair, kase);
      expect(oracle).toMatchObject({ ok: true, response: kase.oracle });
      expect(ours).toMatchObject({ ok: true, response: kase.ours });
    },
  );
});

describe("conformance: dry-run and skipRequestBodyParse", () => {
  let dryRun: Pair;
  let skipBody: Pair;
  beforeAll(async () => {
    [dryRun, skipBody] = await Promise.all([
      startPair({ dryRun: true }, ["-dry-run"]),
      startPair({ skipRequestBodyParse: true }, ["-skip-request-body-parse"]),
    ]);
  });
  afterAll(() => Promise.all([dryRun?.stop(), skipBody?.stop()]));

  it.each([...RESULT_CASES, INPUT_CASES[0] as ConformanceCase].map((c) => [c.name, c] as const))(
    "dry-run, %s",
    async (_, kase) => {
      const { ours, oracle } = await both(dryRun, kase);
      expect(normalize(ours)).toEqual(normalize(oracle));
      // Status OK (code 0, left out of the decoded message): dry-run answers every decision so.
      expect(ours.ok && ours.response.status).toEqual({});
    },
  );

  it("dry-run never masks an error", async () => {
    const ours = await dryRun.ours.check(FAIL_CLOSED_CASES[0]?.request);
    expect(ours).toMatchObject({
      ok: true,
      response: { status: { code: 7 }, deniedResponse: { status: { code: "Forbidden" } } },
    });
  });

  // Known difference (docs/differences.md): the peer's dry-run turns its 1xx/2xx denial into OK;
  // for us the result is an error, and dry-run never masks errors.
  it.each(KNOWN_DIFFERENCES.map((c) => [c.name, c] as const))(
    "dry-run, %s: known difference, the peer answers OK, we deny 403",
    async (_, kase) => {
      const { ours, oracle } = await both(dryRun, kase);
      expect(oracle).toMatchObject({ ok: true, response: { status: {}, okResponse: {} } });
      expect(ours).toMatchObject({ ok: true, response: kase.ours });
    },
  );

  it.each(INPUT_CASES.filter((c) => c.name.startsWith("body:")).map((c) => [c.name, c] as const))(
    "skipRequestBodyParse, %s",
    async (_, kase) => {
      const { ours, oracle } = await both(skipBody, kase);
      expect(normalize(ours)).toEqual(normalize(oracle));
    },
  );
});

describe("conformance: the shipped OpenClaw policy", () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair({}, [], join(ROOT, "policies"), "envoy/authz/allow");
  });
  afterAll(() => pair?.stop());

  const call = (method: string, path: string, extensions: Record<string, string> = {}) => ({
    attributes: {
      contextExtensions: extensions,
      request: { http: { method, path, headers: { "x-request-id": "r1" } } },
    },
  });

  it.each([
    ["public read", call("GET", "/api/v1/public/docs/intro")],
    ["public prefix is GET only", call("POST", "/api/v1/public/docs")],
    ["anonymous on a tenant route", call("GET", "/api/v1/tenants/acme/tickets/1")],
    ["anonymous admin write", call("POST", "/api/v1/admin/users")],
    ["unknown route", call("GET", "/api/v2/anything")],
    ["encoded dot segments", call("GET", "/api/v1/public/%2e%2e/admin")],
    ["empty tenant segment", call("GET", "/api/v1/tenants//tickets/1")],
    [
      "destination region set, no source region",
      call("GET", "/api/v1/public/x", { region: "eu-west-1" }),
    ],
  ])("%s", async (_, request) => {
    const { ours, oracle } = await both(pair, { name: "", request });
    expect(normalize(ours)).toEqual(normalize(oracle));
  });
});

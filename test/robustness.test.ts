/**
 * Hostile and absurd input: every payload gets its specified answer, and the next good request is
 * still answered correctly. The gRPC layer refuses what does not decode (INVALID_ARGUMENT) or is
 * too large (RESOURCE_EXHAUSTED); what cannot be parsed is denied with HTTP 400 and the parse
 * error, the policy not consulted (docs/contract.md §2); what parses is decided like any request.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallResult, checkClient, encodeRequest, protos } from "./support/client.js";
import { es256Issuer, jwksFile, sign, signingKey } from "./support/idp.js";
import { metric } from "./support/metrics.js";
import { built } from "./support/paths.js";
import { type Sidecar, startSidecar } from "./support/processes.js";

const PROTECTED = "/api/v1/tenants/acme/tickets/1";
const ISSUER = "https://idp.robustness.test/";

const request = (http: Record<string, unknown>) => ({
  attributes: { request: { http: { method: "GET", path: PROTECTED, ...http } } },
});

/** Encodes a request whose string fields carry the marker, then swaps in invalid UTF-8 bytes. */
function withInvalidUtf8(http: Record<string, unknown>): { valid: Buffer; invalid: Buffer } {
  const valid = encodeRequest(request(http));
  const invalid = Buffer.from(valid);
  const marker = Buffer.from("@@");
  for (let at = invalid.indexOf(marker); at !== -1; at = invalid.indexOf(marker, at))
    invalid.set([0xc3, 0x28], at);
  return { valid, invalid };
}

/** `length` pseudo-random bytes, the same on every run (SHAKE-256 of the seed). */
const noise = (seed: number, length: number) =>
  createHash("shake256", { outputLength: length }).update(`noise-${seed}`).digest();

/** Why protobufjs refuses `bytes` as a CheckRequest (undefined: it decodes). */
function decodeError(bytes: Buffer): string | undefined {
  try {
    protos.checkRequest.decode(bytes);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const UNDECODABLE = { ok: false, code: 3, details: "CheckRequest could not be decoded" };

/** Denied before the policy: HTTP 400 with the parse error as body and status message. */
function expectParseError(result: CallResult, error: string) {
  const body = `request_parse_error: ${error}`;
  expect(result.ok && result.response.status).toEqual({ code: 7, message: body });
  expect(result.ok && result.response.deniedResponse).toEqual({
    status: { code: "BadRequest" },
    body,
  });
}

/** Denied by the shipped policy with HTTP 400 and `reason` (docs/canonical-paths.md). */
function expectPolicy400(result: CallResult, reason: string) {
  expect(result.ok && result.response.status).toEqual({ code: 7 });
  expect(result.ok && result.response.deniedResponse).toEqual({
    status: { code: "BadRequest" },
    headers: [{ header: { key: "content-type", value: "text/plain" } }],
    body: reason,
  });
}

describe("bad input never crashes and gets its specified answer", () => {
  let sidecar: Sidecar;
  let client: ReturnType<typeof checkClient>;
  let bearer: string;
  beforeAll(async () => {
    const key = await signingKey("robust-1", "ES256");
    sidecar = await startSidecar({
      policy: { bundle: built("build/policy/bundle.tar.gz") },
      identity: { jwt: { issuers: [es256Issuer(ISSUER, await jwksFile(key))] } },
      decisionLog: { console: false },
    });
    client = checkClient(sidecar.grpc);
    bearer = await sign(key, {
      iss: ISSUER,
      aud: "openclaw",
      sub: "rita",
      roles: ["viewer"],
      tenant: "acme",
    });
  });
  afterAll(async () => {
    client?.close();
    expect(await sidecar?.stop()).toBe(0);
  });

  const undecodableCount = () =>
    metric(sidecar.admin, /^openclaw_authz_rejected_requests_total\{reason="undecodable"\}/);

  async function thenStillServes() {
    const good = await client.check({
      attributes: { request: { http: { method: "GET", path: "/api/v1/public/docs" } } },
    });
    expect(good).toMatchObject({ ok: true, response: { status: {}, okResponse: {} } });
    const protectedRead = await client.check(request({}));
    expect(protectedRead).toMatchObject({
      ok: true,
      response: {
        deniedResponse: { status: { code: "Unauthorized" }, body: "authentication required" },
      },
    });
  }

  it("random bytes as the Check payload: INVALID_ARGUMENT, each counted as undecodable", async () => {
    const payloads = [
      ...Array.from({ length: 50 }, (_, i) => noise(i, 1 + ((i * 997) % 65_536))),
      Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), // a length past the end
    ];
    // The premise, checked: none of them is a CheckRequest.
    expect(payloads.filter((bytes) => decodeError(bytes) === undefined)).toEqual([]);
    const before = await undecodableCount();
    for (const bytes of payloads) expect(await client.sendBytes(bytes)).toEqual(UNDECODABLE);
    expect(await undecodableCount()).toBe(before + payloads.length);
    await thenStillServes();
  });

  it("a 10 MB request: RESOURCE_EXHAUSTED at the 4 MiB limit", async () => {
    const bytes = encodeRequest(request({ method: "POST", body: "x".repeat(10 * 1024 * 1024) }));
    expect(await client.sendBytes(bytes)).toEqual({
      ok: false,
      code: 8,
      details: `Received message larger than max (${bytes.length} vs 4194304)`,
    });
    await thenStillServes();
  });

  it("100k headers are headers: the token among them is found and the read is granted", async () => {
    const headers = Object.fromEntries(
      Array.from({ length: 100_000 }, (_, i) => [`x-h-${i}`, `v${i}`]),
    );
    const result = await client.check(
      request({ headers: { ...headers, authorization: `Bearer ${bearer}` } }),
    );
    expect(result.ok && result.response.status).toEqual({});
    expect(result.ok && result.response.dynamicMetadata).toMatchObject({
      reason: "scope ticket:read granted",
    });
    await thenStillServes();
  });

  it("a 100k-deep JSON body: 400, nested deeper than 256", async () => {
    const body = "[".repeat(100_000) + "]".repeat(100_000);
    const result = await client.check(
      request({ method: "POST", body, headers: { "content-type": "application/json" } }),
    );
    expectParseError(result, "JSON nested deeper than 256 (at position 256)");
    await thenStillServes();
  });

  it.each([
    ["the path", { path: `${PROTECTED}@@` }],
    ["a header", { headers: { "x-bad@@": "v@@" } }],
    [
      "the body",
      { method: "POST", body: '{"a":"@@"}', headers: { "content-type": "application/json" } },
    ],
  ])("invalid UTF-8 in %s: INVALID_ARGUMENT (proto3 strings are UTF-8)", async (_, http) => {
    const { valid, invalid } = withInvalidUtf8(http);
    expect(decodeError(invalid)).toBe("The encoded data was not valid for encoding utf-8");
    // The same request with the bytes valid is decoded and decided: the bytes are why.
    expect((await client.sendBytes(valid)).ok).toBe(true);
    const before = await undecodableCount();
    expect(await client.sendBytes(invalid)).toEqual(UNDECODABLE);
    expect(await undecodableCount()).toBe(before + 1);
    await thenStillServes();
  });

  it("U+FFFD written as valid UTF-8 is a character, not an encoding error", async () => {
    const result = await client.check(
      request({ path: "/api/v1/public/docs", headers: { "x-note": "caf\uFFFD \uFFFD" } }),
    );
    expect(result).toMatchObject({ ok: true, response: { status: {}, okResponse: {} } });
  });

  it("100k query parameters: 400, past the limit of 10000", async () => {
    const query = Array.from({ length: 100_000 }, (_, i) => `p${i}=${i}`).join("&");
    const result = await client.check(request({ path: `/api/v1/public/docs?${query}` }));
    expectParseError(result, "number of URL query parameters exceeded limit of 10000");
    await thenStillServes();
  });

  it.each([
    ["a path of percent signs", `/${"%".repeat(100_000)}`, 'invalid URL escape "%%%"'],
    ["a half escape at the end", "/api/v1/public/docs%", 'invalid URL escape "%"'],
  ])("absurd percent-escapes, %s: 400, not parsable", async (_, path, error) => {
    expectParseError(await client.check(request({ path })), error);
    await thenStillServes();
  });

  it.each([
    ["escaped NULs", "/api/v1/tenants/%00/tickets/%00"],
    ["escaped dot segments", "/api/v1/public/%2e%2e/%2E%2E/admin/users"],
    ["an overlong UTF-8 escape", "/api/v1/tenants/%C0%AF..%C0%AF../tickets/1"],
  ])(
    "absurd percent-escapes, %s: parsed, and refused by the policy as not canonical",
    async (_, path) => {
      const result = await client.check(
        request({ path, headers: { authorization: `Bearer ${bearer}` } }),
      );
      expectPolicy400(result, "path is not canonical: percent-escapes are not allowed");
      await thenStillServes();
    },
  );
});

/**
 * Hostile and absurd input: every payload gets an answer that is not an allow (a deny, or gRPC
 * INVALID_ARGUMENT / RESOURCE_EXHAUSTED), and the next good request is still answered correctly.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallResult, checkClient, encodeRequest } from "./support/client.js";
import { built } from "./support/paths.js";
import { type Sidecar, startSidecar } from "./support/processes.js";

const PROTECTED = "/api/v1/tenants/acme/tickets/1";

const request = (http: Record<string, unknown>) => ({
  attributes: { request: { http: { method: "GET", path: PROTECTED, ...http } } },
});

/** Encodes a request whose string fields carry the marker, then swaps in invalid UTF-8 bytes. */
function withInvalidUtf8(http: Record<string, unknown>): Buffer {
  const bytes = encodeRequest(request(http));
  const marker = Buffer.from("@@");
  for (let at = bytes.indexOf(marker); at !== -1; at = bytes.indexOf(marker, at))
    bytes.set([0xc3, 0x28], at);
  return bytes;
}

function expectNoAllow(result: CallResult) {
  if (result.ok) {
    expect(result.response.status).toMatchObject({ code: 7 });
    expect(result.response.deniedResponse).toBeDefined();
  } else {
    expect([3, 8]).toContain(result.code); // INVALID_ARGUMENT, RESOURCE_EXHAUSTED
  }
}

describe("bad input never crashes and never allows", () => {
  let sidecar: Sidecar;
  let client: ReturnType<typeof checkClient>;
  beforeAll(async () => {
    sidecar = await startSidecar({
      policy: { bundle: built("build/policy/bundle.tar.gz") },
      decisionLog: { console: false },
    });
    client = checkClient(sidecar.grpc);
  });
  afterAll(async () => {
    client?.close();
    expect(await sidecar?.stop()).toBe(0);
  });

  async function thenStillServes() {
    const good = await client.check({
      attributes: { request: { http: { method: "GET", path: "/api/v1/public/docs" } } },
    });
    expect(good).toMatchObject({ ok: true, response: { status: {}, okResponse: {} } });
    const protectedRead = await client.check(request({}));
    expect(protectedRead).toMatchObject({
      ok: true,
      response: { deniedResponse: { status: { code: "Unauthorized" } } },
    });
  }

  it("random bytes as the Check payload", async () => {
    for (let i = 0; i < 50; i++)
      expectNoAllow(await client.sendBytes(randomBytes(1 + ((i * 997) % 65_536))));
    const undecodable = await client.sendBytes(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]));
    expect(undecodable).toMatchObject({ ok: false, code: 3 });
    await thenStillServes();
  });

  it("a 10 MB request", async () => {
    const result = await client.check(
      request({ method: "POST", body: "x".repeat(10 * 1024 * 1024) }),
    );
    expect(result).toMatchObject({ ok: false, code: 8 });
    await thenStillServes();
  });

  it("100k headers", async () => {
    const headers = Object.fromEntries(
      Array.from({ length: 100_000 }, (_, i) => [`x-h-${i}`, `v${i}`]),
    );
    expectNoAllow(await client.check(request({ headers })));
    await thenStillServes();
  });

  it("a 100k-deep JSON body", async () => {
    const body = "[".repeat(100_000) + "]".repeat(100_000);
    const result = await client.check(
      request({ method: "POST", body, headers: { "content-type": "application/json" } }),
    );
    expect(result).toMatchObject({
      ok: true,
      response: { deniedResponse: { status: { code: "BadRequest" } } },
    });
    await thenStillServes();
  });

  it("invalid UTF-8 in the path, a header and the body", async () => {
    const cases = [
      withInvalidUtf8({ path: `${PROTECTED}@@` }),
      withInvalidUtf8({ headers: { "x-bad@@": "v@@" } }),
      withInvalidUtf8({
        method: "POST",
        body: '{"a":"@@"}',
        headers: { "content-type": "application/json" },
      }),
    ];
    for (const bytes of cases) expectNoAllow(await client.sendBytes(bytes));
    await thenStillServes();
  });

  it("100k query parameters", async () => {
    const query = Array.from({ length: 100_000 }, (_, i) => `p${i}=${i}`).join("&");
    const result = await client.check(request({ path: `/api/v1/public/docs?${query}` }));
    expect(result).toMatchObject({
      ok: true,
      response: { deniedResponse: { status: { code: "BadRequest" } } },
    });
    await thenStillServes();
  });

  it.each([
    ["a path of percent signs", `/${"%".repeat(100_000)}`],
    ["escaped NULs", "/api/v1/tenants/%00/tickets/%00"],
    ["escaped dot segments", "/api/v1/public/%2e%2e/%2E%2E/admin/users"],
    ["an overlong UTF-8 escape", "/api/v1/tenants/%C0%AF..%C0%AF../tickets/1"],
    ["a half escape at the end", "/api/v1/public/docs%"],
  ])("absurd percent-escapes: %s", async (_, path) => {
    expectNoAllow(await client.check(request({ path })));
    await thenStillServes();
  });
});

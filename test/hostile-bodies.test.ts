/**
 * Bodies built to exhaust the parser (issue: a 6 KB body killed the process): deep nesting, huge
 * strings, a million values. Each is answered within a second with the body limit it broke, by a
 * sidecar under the image's heap flags that writes its decision log (where the crash was), while a
 * stream of good checks keeps being answered.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkClient, encodeRequest } from "./support/client.js";
import { built } from "./support/paths.js";
import { IMAGE_NODE_FLAGS, type Sidecar, startSidecar } from "./support/processes.js";

const PUBLIC = "/api/v1/public/docs";

const nestedObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
const nestedArrays = (depth: number) => `${"[".repeat(depth)}1${"]".repeat(depth)}`;

function multipart(json: string) {
  const body = [
    "--b",
    'Content-Disposition: form-data; name="doc"',
    "Content-Type: application/json",
    "",
    json,
    "--b--",
    "",
  ].join("\r\n");
  return { body, headers: { "content-type": "multipart/form-data; boundary=b" } };
}

const json = (body: string) => ({ body, headers: { "content-type": "application/json" } });

/** A public read carrying the body: the policy allows it whatever the body holds. */
const check = (http: { body: string; headers: Record<string, string> }) =>
  encodeRequest({ attributes: { request: { http: { method: "GET", path: PUBLIC, ...http } } } });

describe("hostile bodies", () => {
  let sidecar: Sidecar;
  let client: ReturnType<typeof checkClient>;
  beforeAll(async () => {
    sidecar = await startSidecar(
      { policy: { bundle: built("build/policy/bundle.tar.gz") }, decisionLog: { console: true } },
      IMAGE_NODE_FLAGS,
      // Each answer is bounded in time: without coverage counters, which slow it severalfold.
      { coverage: false },
    );
    client = checkClient(sidecar.grpc);
  });
  afterAll(async () => {
    client?.close();
    expect(await sidecar?.stop()).toBe(0);
  });

  /**
   * Sends the encoded request while good checks run beside it; returns its answer. How long it
   * takes is the bench's business, not a test's (a loaded CI machine is no stopwatch).
   */
  async function beside(request: Buffer) {
    let stop = false;
    const good: boolean[] = [];
    const stream = (async () => {
      while (!stop) {
        const result = await client.check({
          attributes: { request: { http: { method: "GET", path: PUBLIC } } },
        });
        good.push(result.ok && result.response.okResponse !== undefined);
      }
    })();
    const result = await client.sendBytes(request);
    stop = true;
    await stream;
    // Every check sent alongside was answered, and allowed: the hostile one took nothing down.
    expect(good.length).toBeGreaterThan(0);
    expect(good.every(Boolean)).toBe(true);
    return result;
  }

  type Http = { body: string; headers: Record<string, string> };
  const DEPTHS = [1_000, 2_000, 3_000, 6_000, 10_000];
  it.each<[string, Http, string]>([
    ...DEPTHS.map((d): [string, Http, string] => [
      `objects nested ${d} deep`,
      json(nestedObjects(d)),
      "nested deeper",
    ]),
    ...DEPTHS.map((d): [string, Http, string] => [
      `arrays nested ${d} deep`,
      json(nestedArrays(d)),
      "nested deeper",
    ]),
    ...DEPTHS.map((d): [string, Http, string] => [
      `a multipart JSON part ${d} deep`,
      multipart(nestedArrays(d)),
      "nested deeper",
    ]),
    ["a 3 MiB string", json(JSON.stringify({ s: "x".repeat(3 << 20) })), "string longer"],
    ["a 3 MiB key", json(`{${JSON.stringify("k".repeat(3 << 20))}:1}`), "string longer"],
    ["a million values", json(`[${Array(1_000_000).fill("0").join(",")}]`), "more than 100000"],
    [
      "300 000 short keys",
      json(`{${Array.from({ length: 300_000 }, (_, i) => `"${i.toString(36)}":0`).join(",")}}`),
      "more than 100000",
    ],
    [
      "a million short strings",
      json(`[${Array(1_000_000).fill('"a"').join(",")}]`),
      "more than 100000",
    ],
  ])("%s: HTTP 400 naming the limit, other checks served meanwhile", async (_, http, limit) => {
    const result = await beside(check(http));
    expect(result).toMatchObject({
      ok: true,
      response: { deniedResponse: { status: { code: "BadRequest" } } },
    });
    const denied = result.ok ? (result.response.deniedResponse as { body?: string }) : undefined;
    const body = denied?.body ?? "";
    expect(body).toMatch(/^request_parse_error: (multipart: )?JSON /);
    expect(body).toContain(limit);
  });

  it.each([
    ["256 levels (the default limit)", json(nestedObjects(256))],
    ["100 000 values (the default limit)", json(`[${Array(99_999).fill("0").join(",")}]`)],
    ["a 1 MiB string", json(JSON.stringify("x".repeat(1 << 20)))],
  ])("a body at the limits is parsed and evaluated: %s", async (_, http) => {
    const result = await beside(check(http));
    expect(result).toMatchObject({ ok: true, response: { status: {}, okResponse: {} } });
  });

  it("is still the same process, logging every decision", async () => {
    const decisions = sidecar.stdout.filter((line) => line.includes('"decision_id"'));
    expect(decisions.length).toBeGreaterThan(20);
    expect(sidecar.process.exitCode).toBeNull();
  });
});

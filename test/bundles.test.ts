/**
 * Policy delivery: bundles signed by the real `opa build --signing-key`, hot reload under load,
 * last known good, an OPA bundle server with ETag and a bearer token, data-only changes.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdir, mkdtemp, readFile, rename, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseBundle, readBundle, unpackBundle } from "../src/policy/index.js";
import { buildPolicy, DATA_DRIVEN_POLICY, entriesOf, tarGz } from "./support/bundles.js";
import { type CallResult, checkClient } from "./support/client.js";
import { tool } from "./support/paths.js";
import { run, type Sidecar, startSidecar } from "./support/processes.js";
import { until } from "./support/wait.js";

const request = { attributes: { request: { http: { method: "GET", path: "/x" } } } };
let dir: string;
let keys: { private: string; public: string; otherPrivate: string };
const sidecars: Sidecar[] = [];

async function sidecar(config: Record<string, unknown>) {
  const s = await startSidecar({ decisionLog: { console: false }, ...config });
  sidecars.push(s);
  return s;
}

const marker = (r: CallResult) =>
  r.ok
    ? ((r.response.dynamicMetadata as { marker?: string } | undefined)?.marker ?? "none")
    : "error";
const admin = async (s: Sidecar, path: string) => fetch(`http://${s.admin}${path}`);

/** Replaces `path` atomically (what a ConfigMap update or `mv` does). */
async function replace(path: string, content: Buffer) {
  const temporary = `${path}.${Math.random()}`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "oc-bundles-"));
  const pem = () =>
    generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
  const [main, other] = [pem(), pem()];
  keys = {
    private: join(dir, "signing.pem"),
    public: join(dir, "public.pem"),
    otherPrivate: join(dir, "other.pem"),
  };
  await writeFile(keys.private, main.privateKey);
  await writeFile(keys.public, main.publicKey);
  await writeFile(keys.otherPrivate, other.privateKey);
});

afterAll(async () => {
  await Promise.all(sidecars.map((s) => s.stop()));
});

describe("signed bundles (opa build --signing-key)", () => {
  const signing = async (scope?: string) => ({
    publicKey: await readFile(keys.public, "utf8"),
    algorithm: "RS256",
    keyId: "default",
    ...(scope ? { scope } : {}),
  });

  it("verify, and refuse any file added, removed or changed, another key, another scope, or no signature", async () => {
    const signed = await buildPolicy(
      DATA_DRIVEN_POLICY,
      { switch: { open: true, marker: "S" } },
      { signingKey: keys.private, revision: "s-1" },
    );
    expect((await readBundle(signed, await signing())).revision).toBe("s-1");
    const entries = await entriesOf(signed);
    const repack = async (changed: typeof entries) =>
      parseBundle(await unpackBundle(tarGz(changed)), await signing());
    const data = entries.find((e) => e.name === "/data.json");
    if (!data) throw new Error("no data.json");
    await expect(
      repack(
        entries.map((e) =>
          e === data ? { ...e, content: '{"switch":{"open":true,"marker":"X"}}' } : e,
        ),
      ),
    ).rejects.toThrow("data.json does not match its signed hash");
    await expect(repack([...entries, { name: "/extra.json", content: "{}" }])).rejects.toThrow(
      "extra.json is in the bundle but not signed",
    );
    await expect(repack(entries.filter((e) => e !== data))).rejects.toThrow(
      "data.json is signed but missing",
    );
    // Whitespace and key order inside data.json do not matter (OPA hashes JSON structurally).
    const reformatted = JSON.stringify(JSON.parse(String(data.content)), null, 4);
    expect(
      (await repack(entries.map((e) => (e === data ? { ...e, content: reformatted } : e))))
        .revision,
    ).toBe("s-1");
    const foreign = await buildPolicy(
      DATA_DRIVEN_POLICY,
      { switch: { open: true, marker: "S" } },
      { signingKey: keys.otherPrivate },
    );
    await expect(readBundle(foreign, await signing())).rejects.toThrow("JWT does not verify");
    const scoped = await buildPolicy(
      DATA_DRIVEN_POLICY,
      { switch: { open: true, marker: "S" } },
      { signingKey: keys.private, scope: "write" },
    );
    await expect(readBundle(scoped, await signing("read"))).rejects.toThrow("scope is not read");
    expect((await readBundle(scoped, await signing("write"))).revision).toBe("");
    const unsigned = await buildPolicy(DATA_DRIVEN_POLICY, { switch: { open: true, marker: "S" } });
    await expect(readBundle(unsigned, await signing())).rejects.toThrow("not signed");
  });
});

describe("hot reload", () => {
  /** Ten polls at a 50 ms pollInterval: the window in which a refused file must not count again. */
  const TEN_POLLS_MS = 10 * 50;

  it("swaps bundles under load without a failed or wrongly decided check", async () => {
    const [open, closed] = await Promise.all([
      buildPolicy(DATA_DRIVEN_POLICY, { switch: { open: true, marker: "A" } }, { revision: "A" }),
      buildPolicy(DATA_DRIVEN_POLICY, { switch: { open: false, marker: "B" } }, { revision: "B" }),
    ]);
    const bundles = { A: await readFile(open), B: await readFile(closed) };
    const path = join(dir, "live.tar.gz");
    await writeFile(path, bundles.A);
    const s = await sidecar({
      policy: { bundle: path, pollInterval: "50ms" },
      cache: { enabled: false },
    });
    const client = checkClient(s.grpc);
    const seen = { A: 0, B: 0 };
    const wrong: unknown[] = [];
    let running = true;
    const worker = async () => {
      while (running) {
        const result = await client.check(request);
        const m = marker(result);
        const allowed =
          result.ok && (result.response.status as { code?: number }).code === undefined;
        if (
          (m === "A" && allowed) ||
          (m === "B" &&
            !allowed &&
            result.ok &&
            (result.response.deniedResponse as { status: { code: string } }).status.code ===
              "Forbidden")
        ) {
          seen[m]++;
        } else {
          wrong.push(result);
        }
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    // Each swap is waited for: the workers answer with the new bundle a few times before the next.
    for (let flip = 0; flip < 12; flip++) {
      const next = flip % 2 === 0 ? "B" : "A";
      const before = seen[next];
      await replace(path, bundles[next]);
      expect(await until(() => seen[next] >= before + 5 || wrong.length > 0)).toBe(true);
    }
    running = false;
    await Promise.all(workers);
    client.close();
    expect(wrong).toEqual([]);
    // The first load and one per swap: each swap was seen, none loaded twice.
    expect(
      Number(
        /openclaw_authz_bundle_loads_total\{outcome="loaded"\} (\d+)/.exec(
          await (await admin(s, "/metrics")).text(),
        )?.[1],
      ),
    ).toBe(13);
  });

  it("keeps the last good bundle when a new one is corrupt, truncated or not a policy", async () => {
    const goodBundle = async (revision: string) =>
      readFile(
        await buildPolicy(
          DATA_DRIVEN_POLICY,
          { switch: { open: true, marker: "G" } },
          { revision },
        ),
      );
    const [good, later] = await Promise.all([goodBundle("good-1"), goodBundle("good-2")]);
    const path = join(dir, "lkg.tar.gz");
    await writeFile(path, good);
    const s = await sidecar({ policy: { bundle: path, pollInterval: "50ms" } });
    const client = checkClient(s.grpc);
    const refusals = async () =>
      Number(
        /openclaw_authz_bundle_loads_total\{outcome="refused"\} (\d+)/.exec(
          await (await admin(s, "/metrics")).text(),
        )?.[1] ?? 0,
      );
    const lastError = async () =>
      (
        (await (await admin(s, "/status")).json()) as {
          policy: {
            serving: { revision: string };
            lastError?: { revision?: string; message: string };
          };
        }
      ).policy;
    const initial = await refusals();
    const bad = [
      [good.subarray(0, good.length / 2), undefined, "zlib: unexpected end of file"],
      [Buffer.from("not a bundle"), undefined, "not a bundle archive: TAR_BAD_ARCHIVE"],
      [
        tarGz([
          { name: "/.manifest", content: '{"revision":"broken-7"}' },
          { name: "/policy.wasm", content: "garbage" },
        ]),
        "broken-7",
        // The file's own bytes ("garb…"), not whatever shares their memory.
        "expected magic word 00 61 73 6d, found 67 61 72 62",
      ],
    ] as const;
    for (const [content, revision, message] of bad) {
      await replace(path, Buffer.from(content));
      // /status names this file's own error: each iteration proves its file was processed.
      expect(
        await until(async () => {
          const error = (await lastError()).lastError;
          return error?.message.includes(message) === true && error.revision === revision;
        }),
      ).toBe(true);
      expect(marker(await client.check(request))).toBe("G");
      expect((await admin(s, "/readyz")).status).toBe(200);
      expect((await lastError()).serving.revision).toBe("good-1");
    }
    // Refused once per file, not once per poll. Proving that no poll counts again needs a window
    // of polls of the last file; a good bundle after it proves those polls ran (the poller was
    // alive and reading the same path all through).
    await new Promise((resolve) => setTimeout(resolve, TEN_POLLS_MS));
    await replace(path, later);
    expect(await until(async () => (await lastError()).serving.revision === "good-2")).toBe(true);
    expect(await refusals()).toBe(initial + bad.length);
    client.close();
    expect(s.stderr.join("\n")).toContain('"refused_revision":"broken-7"');
    expect(s.stderr.join("\n")).toContain('"serving_revision":"good-1"');
  });

  it("with no good bundle at all: not ready, denies everything, and recovers when one arrives", async () => {
    const path = join(dir, "late.tar.gz");
    await writeFile(path, "not yet");
    const s = await sidecar({ policy: { bundle: path, pollInterval: "50ms" } });
    const client = checkClient(s.grpc);
    expect((await admin(s, "/readyz")).status).toBe(503);
    expect(await client.check(request)).toMatchObject({
      ok: true,
      response: { deniedResponse: { body: "policy_not_loaded" } },
    });
    await replace(
      path,
      await readFile(
        await buildPolicy(DATA_DRIVEN_POLICY, { switch: { open: true, marker: "L" } }),
      ),
    );
    expect(await until(async () => (await admin(s, "/readyz")).status === 200)).toBe(true);
    expect(marker(await client.check(request))).toBe("L");
    client.close();
  });

  it("refuses a bundle signed by another key and keeps serving the signed one", async () => {
    const path = join(dir, "signed.tar.gz");
    await writeFile(
      path,
      await readFile(
        await buildPolicy(
          DATA_DRIVEN_POLICY,
          { switch: { open: true, marker: "S1" } },
          { signingKey: keys.private },
        ),
      ),
    );
    const s = await sidecar({
      policy: { bundle: path, pollInterval: "50ms", signing: { publicKey: keys.public } },
    });
    const client = checkClient(s.grpc);
    expect(marker(await client.check(request))).toBe("S1");
    await replace(
      path,
      await readFile(
        await buildPolicy(
          DATA_DRIVEN_POLICY,
          { switch: { open: true, marker: "EVIL" } },
          { signingKey: keys.otherPrivate },
        ),
      ),
    );
    expect(await until(async () => s.stderr.some((l) => l.includes("JWT does not verify")))).toBe(
      true,
    );
    expect(marker(await client.check(request))).toBe("S1");
    client.close();
  });

  it("picks up a data.json edit in a directory bundle: roles and routes change without recompiling Rego", async () => {
    const bundleDir = join(dir, "dir-bundle");
    await mkdir(bundleDir, { recursive: true });
    const files = await unpackBundle(
      await readFile(
        await buildPolicy(DATA_DRIVEN_POLICY, { switch: { open: true, marker: "D1" } }),
      ),
    );
    for (const [name, content] of files) {
      await mkdir(dirname(join(bundleDir, name)), { recursive: true });
      await writeFile(join(bundleDir, name), content);
    }
    const s = await sidecar({ policy: { bundle: bundleDir, pollInterval: "50ms" } });
    const client = checkClient(s.grpc);
    expect(marker(await client.check(request))).toBe("D1");
    await writeFile(
      join(bundleDir, "data.json"),
      JSON.stringify({ switch: { open: false, marker: "D2" } }),
    );
    expect(await until(async () => marker(await client.check(request)) === "D2")).toBe(true);
    client.close();
  });
});

describe("a bundle calling builtins this sidecar does not provide", () => {
  const POLICY = `package envoy.authz
import rego.v1
default allow := false
allow if http.send({"method": "get", "url": "http://127.0.0.1:9"}).status_code == 200
allow if count(net.lookup_ip_addr("example.com")) > 0
allow if acme.lookup(input.attributes.request.http.path) == 1
`;
  const REFUSAL =
    "policy.wasm calls builtins this sidecar does not provide: acme.lookup (not provided), " +
    "http.send (needs the network during evaluation), net.lookup_ip_addr (needs DNS during evaluation)";
  let lacking: Buffer;
  const missingMetric = async (s: Sidecar) =>
    (await (await admin(s, "/metrics")).text())
      .split("\n")
      .filter((line) => line.startsWith("openclaw_authz_bundle_missing_builtins{"));
  const lastError = async (s: Sidecar) =>
    ((await (await admin(s, "/status")).json()) as { policy: { lastError?: { message: string } } })
      .policy.lastError?.message;

  beforeAll(async () => {
    // A custom builtin (what a custom OPA build adds) declared the way `opa build` learns it.
    const { stdout } = await run(tool("opa"), ["capabilities", "--current"]);
    const capabilities = JSON.parse(stdout) as { builtins: unknown[] };
    capabilities.builtins.push({
      name: "acme.lookup",
      decl: { type: "function", args: [{ type: "any" }], result: { type: "any" } },
    });
    const file = join(dir, "capabilities.json");
    await writeFile(file, JSON.stringify(capabilities));
    lacking = await readFile(
      await buildPolicy(POLICY, {}, { capabilities: file, revision: "lacking-1" }),
    );
  });

  it("is refused at load naming each, in /status, the log and a metric; the last good one serves", async () => {
    const path = join(dir, "builtins.tar.gz");
    await writeFile(
      path,
      await readFile(
        await buildPolicy(
          DATA_DRIVEN_POLICY,
          { switch: { open: true, marker: "B" } },
          { revision: "good-b" },
        ),
      ),
    );
    const s = await sidecar({ policy: { bundle: path, pollInterval: "50ms" } });
    const client = checkClient(s.grpc);
    await replace(path, lacking);
    expect(await until(async () => (await lastError(s)) !== undefined)).toBe(true);
    expect(await lastError(s)).toBe(REFUSAL);
    expect(await missingMetric(s)).toEqual([
      'openclaw_authz_bundle_missing_builtins{builtin="acme.lookup"} 1',
      'openclaw_authz_bundle_missing_builtins{builtin="http.send"} 1',
      'openclaw_authz_bundle_missing_builtins{builtin="net.lookup_ip_addr"} 1',
    ]);
    expect(marker(await client.check(request))).toBe("B");
    expect((await admin(s, "/readyz")).status).toBe(200);
    const refusal = s.stderr
      .join("\n")
      .split("\n")
      .find((line) => line.includes('"refused_revision":"lacking-1"'));
    expect(JSON.parse(refusal ?? "{}")).toMatchObject({ err: REFUSAL, serving_revision: "good-b" });
    // The next good bundle clears the metric.
    await replace(
      path,
      await readFile(
        await buildPolicy(DATA_DRIVEN_POLICY, { switch: { open: true, marker: "C" } }),
      ),
    );
    expect(await until(async () => marker(await client.check(request)) === "C")).toBe(true);
    expect(await missingMetric(s)).toEqual([]);
    client.close();
    expect(s.stderr.join("\n")).not.toContain("[object Object]");
  });

  it("at start: not ready and every check denied, the refusal naming them", async () => {
    const path = join(dir, "builtins-first.tar.gz");
    await writeFile(path, lacking);
    const s = await sidecar({ policy: { bundle: path } });
    const client = checkClient(s.grpc);
    expect((await admin(s, "/readyz")).status).toBe(503);
    expect(await lastError(s)).toBe(REFUSAL);
    expect(await client.check(request)).toMatchObject({
      ok: true,
      response: { deniedResponse: { body: "policy_not_loaded" } },
    });
    client.close();
  });
});

describe("an OPA bundle server (ETag, bearer token)", () => {
  it("downloads with the token, then polls with If-None-Match and loads new versions", async () => {
    const versions = [
      await readFile(
        await buildPolicy(
          DATA_DRIVEN_POLICY,
          { switch: { open: true, marker: "H1" } },
          { revision: "h1" },
        ),
      ),
      await readFile(
        await buildPolicy(
          DATA_DRIVEN_POLICY,
          { switch: { open: true, marker: "H2" } },
          { revision: "h2" },
        ),
      ),
    ];
    let current = 0;
    const counts = { 200: 0, 304: 0, 401: 0 };
    const server = createServer((req, res) => {
      if (req.headers.authorization !== "Bearer bundle-token-9") {
        counts[401]++;
        return void res.writeHead(401).end();
      }
      const etag = `"v${current}"`;
      if (req.headers["if-none-match"] === etag) {
        counts[304]++;
        return void res.writeHead(304).end();
      }
      counts[200]++;
      res.writeHead(200, { etag, "content-type": "application/gzip" }).end(versions[current]);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/bundles/authz.tar.gz`;
    const tokenFile = join(dir, "bundle-token");
    await writeFile(tokenFile, "bundle-token-9\n");
    try {
      const s = await sidecar({ policy: { bundle: url, tokenFile, pollInterval: "100ms" } });
      const client = checkClient(s.grpc);
      expect(marker(await client.check(request))).toBe("H1");
      expect(await until(async () => counts[304] >= 3)).toBe(true);
      expect(counts[200]).toBe(1);
      current = 1;
      expect(await until(async () => marker(await client.check(request)) === "H2")).toBe(true);
      expect(counts[401]).toBe(0);
      client.close();
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

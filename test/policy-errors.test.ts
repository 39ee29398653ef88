/**
 * Every way a policy can fail to arrive or to evaluate, met where an operator meets it: a real
 * sidecar refusing signed bundles that do not verify, directory bundles holding what a bundle must
 * not, a bundle server that fails or sends too much, a policy that traps, a data.json that is not
 * a JSON object, and a revocation file that disappears. Each refusal is asserted by its own words
 * in /status, the log line and the refusal metric, with the last good policy still serving.
 */
import { generateKeyPairSync } from "node:crypto";
import {
  mkdir,
  mkdtemp,
  readFile,
  rename,
  rm,
  symlink,
  truncate,
  unlink,
  writeFile,
} from "node:fs/promises";
import { createServer, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { decodeJwt, decodeProtectedHeader, importPKCS8, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, SIGNATURES_FILE, unpackBundle } from "../src/policy/index.js";
import { buildPolicy, DATA_DRIVEN_POLICY, type TarEntry, tarGz } from "./support/bundles.js";
import { type CallResult, checkClient } from "./support/client.js";
import { es256Issuer, jwksFile, type SigningKey, sign, signingKey } from "./support/idp.js";
import { metric } from "./support/metrics.js";
import { run, type Sidecar, startSidecar } from "./support/processes.js";
import { until } from "./support/wait.js";

const request = (path = "/x", headers: Record<string, string> = {}) => ({
  attributes: { request: { http: { method: "GET", path, headers } } },
});

let root: string;
/** Directories made by helpers outside `root` (bundles, sidecar configs, JWKS files). */
const made: string[] = [];
const sidecars: Sidecar[] = [];
const clients: Array<ReturnType<typeof checkClient>> = [];
const servers: Server[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "oc-policy-errors-"));
});

afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all(sidecars.map((s) => s.stop()));
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  await Promise.all([root, ...made].map((dir) => rm(dir, { recursive: true, force: true })));
});

/**
 * A sidecar (its config directory removed afterwards), a client to it, and the refusals the test
 * expects of it so far.
 */
async function sidecar(config: Record<string, unknown>) {
  const s = await startSidecar({ decisionLog: { console: false }, ...config });
  sidecars.push(s);
  const args = s.process.spawnargs;
  made.push(dirname(args[args.indexOf("--config") + 1] as string));
  const client = checkClient(s.grpc);
  clients.push(client);
  return { s, client, refused: [] as string[] };
}

/** A bundle built by the real `opa` (see buildPolicy), as bytes; its directory is removed afterwards. */
async function bundle(...args: Parameters<typeof buildPolicy>): Promise<Buffer> {
  const path = await buildPolicy(...args);
  made.push(dirname(path));
  return readFile(path);
}

const marked = (marker: string, revision = marker) =>
  bundle(DATA_DRIVEN_POLICY, { switch: { open: true, marker } }, { revision });

const marker = (r: CallResult) =>
  r.ok
    ? ((r.response.dynamicMetadata as { marker?: string } | undefined)?.marker ?? "none")
    : "error";

const deniedBody = (r: CallResult) =>
  r.ok ? (r.response.deniedResponse as { body?: string } | undefined)?.body : undefined;

/** "allowed", or the denial's HTTP status ("Forbidden", "Unauthorized"; "denied" when it sets none). */
const outcome = (r: CallResult) => {
  if (!r.ok) return "error";
  if ((r.response.status as { code?: number } | undefined)?.code === undefined) return "allowed";
  return (
    (r.response.deniedResponse as { status?: { code?: string } } | undefined)?.status?.code ??
    "denied"
  );
};

const admin = (s: Sidecar, path: string) => fetch(`http://${s.admin}${path}`);

async function policyStatus(s: Sidecar) {
  const body = (await (await admin(s, "/status")).json()) as {
    policy: { serving?: { revision: string }; lastError?: { message: string; revision?: string } };
  };
  return body.policy;
}

const refusals = (s: Sidecar) =>
  metric(s.admin, /^openclaw_authz_bundle_loads_total\{outcome="refused"\}/);

/** The operational log lines of `s` (stderr, pino JSON) with this `msg`. */
function logLines(s: Sidecar, msg: string): Array<Record<string, unknown>> {
  return s.stderr.flatMap((line) => {
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      return parsed.msg === msg ? [parsed] : [];
    } catch {
      return [];
    }
  });
}

const REFUSED = "bundle refused; the previous policy keeps serving";

/**
 * Replaces `path` atomically (what a ConfigMap update or `mv` does), written first outside any
 * bundle directory.
 */
async function replace(path: string, content: Buffer | string) {
  const temporary = join(root, `replacing-${Math.random()}`);
  await writeFile(temporary, content);
  await rename(temporary, path);
}

/**
 * Makes `change`, then expects exactly one refusal with exactly `message` in /status, the metric
 * and the log (which holds the refusals expected so far and no other), while the bundle marked
 * `serving` still answers and the sidecar stays ready.
 */
async function expectRefusal(
  target: Awaited<ReturnType<typeof sidecar>>,
  change: () => Promise<unknown>,
  message: string,
  serving: string,
) {
  const { s, client, refused } = target;
  const before = await refusals(s);
  await change();
  // Generous: a directory of 10 000 files is slow to list on a loaded machine.
  expect(await until(async () => (await refusals(s)) > before, 30_000)).toBe(true);
  expect((await policyStatus(s)).lastError?.message).toBe(message);
  expect(await refusals(s)).toBe(before + 1);
  refused.push(message);
  const logged = () => logLines(s, REFUSED).map((line) => line.err);
  await until(() => logged().length >= refused.length);
  expect(logged()).toEqual(refused);
  expect(marker(await client.check(request()))).toBe(serving);
  expect((await admin(s, "/readyz")).status).toBe(200);
}

describe("signed bundles (policy.signing)", () => {
  let target: Awaited<ReturnType<typeof sidecar>>;
  let path: string;
  let privateKey: string;
  /** A bundle signed by the configured key with `opa build --signing-key`. */
  let signedEvil: Buffer;

  beforeAll(async () => {
    const pair = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
    privateKey = pair.privateKey;
    const keys = { private: join(root, "signing.pem"), public: join(root, "signing.pub.pem") };
    await writeFile(keys.private, pair.privateKey);
    await writeFile(keys.public, pair.publicKey);
    const signed = (marker: string) =>
      bundle(DATA_DRIVEN_POLICY, { switch: { open: true, marker } }, { signingKey: keys.private });
    path = join(root, "signed.tar.gz");
    await writeFile(path, await signed("S1"));
    signedEvil = await signed("EVIL");
    target = await sidecar({
      policy: { bundle: path, pollInterval: "50ms", signing: { publicKey: keys.public } },
    });
  });

  /** `signedEvil` repacked with its `.signatures.json` replaced by `content`, or left out. */
  async function withSignatures(content?: string): Promise<Buffer> {
    return tarGz(
      (await bundleEntries(signedEvil)).flatMap((e) => {
        if (e.name !== `/${SIGNATURES_FILE}`) return [e];
        return content === undefined ? [] : [{ ...e, content }];
      }),
    );
  }

  /**
   * `signedEvil` with a JWT the configured key signs again, after `edit` changed the header or
   * the claims of OPA's own (its file hashes kept unless edited).
   */
  async function resigned(
    edit: (jwt: { header: Record<string, unknown>; claims: SignatureClaims }) => void,
  ): Promise<Buffer> {
    const entry = (await bundleEntries(signedEvil)).find((e) => e.name === `/${SIGNATURES_FILE}`);
    const token = (JSON.parse(String(entry?.content)) as { signatures: string[] })
      .signatures[0] as string;
    const jwt = {
      header: decodeProtectedHeader(token) as Record<string, unknown>,
      claims: decodeJwt(token) as unknown as SignatureClaims,
    };
    edit(jwt);
    const signature = await new SignJWT(jwt.claims as unknown as Record<string, unknown>)
      .setProtectedHeader({ ...jwt.header, alg: "RS256" })
      .sign(await importPKCS8(privateKey, "RS256"));
    return withSignatures(JSON.stringify({ signatures: [signature] }));
  }

  /** The bundle in place of the serving one is refused with `message`; EVIL keeps serving. */
  const refused = (bytes: Buffer, message: string) =>
    expectRefusal(target, () => replace(path, bytes), message, "EVIL");

  it("a JWT signed again by the configured key, unchanged, is accepted (the control)", async () => {
    expect(marker(await target.client.check(request()))).toBe("S1");
    await replace(path, await resigned(() => {}));
    expect(await until(async () => marker(await target.client.check(request())) === "EVIL")).toBe(
      true,
    );
  });

  it("no signature file: refused, naming it", async () => {
    await refused(await withSignatures(), "signature: bundle is not signed (no .signatures.json)");
  });

  it("a signature file that is not JSON: refused, naming the file", async () => {
    const text = '{"signatures": [';
    await refused(
      await withSignatures(text),
      `signature: .signatures.json is not JSON: ${jsonError(text)}`,
    );
  });

  it("a key id other than the configured one: refused, though the key signed it", async () => {
    const rotated = await resigned((jwt) => {
      jwt.header.kid = "rotated-2";
      jwt.claims.keyid = "rotated-2";
    });
    await refused(rotated, 'signature: key id "rotated-2" is not default');
  });

  it("a file hashed with an algorithm not accepted (MD5): refused, naming the file", async () => {
    let first = "";
    const md5 = await resigned((jwt) => {
      for (const file of jwt.claims.files) file.algorithm = "MD5";
      first = jwt.claims.files[0]?.name ?? "";
    });
    expect(first).not.toBe("");
    await refused(md5, `signature: ${first}: hash algorithm MD5 is not accepted`);
  });
});

interface SignatureClaims {
  files: Array<{ name: string; hash: string; algorithm: string }>;
  keyid?: string;
}

/** A bundle's entries, to tamper with and repack with tarGz. */
async function bundleEntries(bytes: Buffer): Promise<TarEntry[]> {
  return [...(await unpackBundle(bytes))].map(([name, content]) => ({ name: `/${name}`, content }));
}

/** The message this Node's JSON.parse gives for `text` (what the sidecar, on the same Node, says). */
function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${text} is JSON`);
}

describe("a directory bundle", () => {
  let target: Awaited<ReturnType<typeof sidecar>>;
  let bundleDir: string;
  /** Where faults are made before they are moved into the bundle in one rename. */
  let staging: string;

  beforeAll(async () => {
    bundleDir = join(root, "dir-bundle");
    staging = join(root, "staging");
    await mkdir(staging);
    for (const [name, content] of await unpackBundle(await marked("D1"))) {
      await mkdir(dirname(join(bundleDir, name)), { recursive: true });
      await writeFile(join(bundleDir, name), content);
    }
    target = await sidecar({ policy: { bundle: bundleDir, pollInterval: "50ms" } });
  });

  /** Moves `name` from staging into the bundle and, after the refusal, back out (one rename each). */
  async function refusedWhileInside(name: string, message: string) {
    try {
      await expectRefusal(
        target,
        () => rename(join(staging, name), join(bundleDir, name)),
        message,
        "D1",
      );
    } finally {
      await rename(join(bundleDir, name), join(staging, name));
      await rm(join(staging, name), { recursive: true });
    }
  }

  it("a symlink (to a file outside the bundle): refused at the next poll", async () => {
    await writeFile(join(root, "outside.json"), '{"switch": {"open": true, "marker": "LINK"}}');
    await symlink(join(root, "outside.json"), join(staging, "linked.json"));
    await refusedWhileInside("linked.json", "bundle entry linked.json is not a regular file");
  });

  it("a FIFO: refused without opening it (nothing hangs)", async () => {
    await run("mkfifo", [join(staging, "pipe")]);
    await refusedWhileInside("pipe", "bundle entry pipe is not a regular file");
  });

  it(`a file over ${DEFAULT_LIMITS.maxFileBytes} bytes (sparse): refused on its size`, async () => {
    // Sparse: its size is what is refused, before any of it is read.
    await writeFile(join(staging, "big.bin"), "");
    await truncate(join(staging, "big.bin"), DEFAULT_LIMITS.maxFileBytes + 1);
    await refusedWhileInside(
      "big.bin",
      `big.bin is larger than ${DEFAULT_LIMITS.maxFileBytes} bytes`,
    );
  });

  it(`files over ${DEFAULT_LIMITS.maxTotalBytes} bytes together, each within its limit: refused`, async () => {
    await mkdir(join(staging, "blobs"));
    for (const name of ["a.bin", "b.bin"]) {
      await writeFile(join(staging, "blobs", name), "");
      await truncate(join(staging, "blobs", name), DEFAULT_LIMITS.maxFileBytes);
    }
    // Two files at the per-file limit are the whole total; the policy's own files go past it.
    expect(2 * DEFAULT_LIMITS.maxFileBytes).toBe(DEFAULT_LIMITS.maxTotalBytes);
    await refusedWhileInside(
      "blobs",
      `bundle is larger than ${DEFAULT_LIMITS.maxTotalBytes} bytes`,
    );
  });

  it(`more than ${DEFAULT_LIMITS.maxFiles} files: refused`, async () => {
    const many = join(staging, "many");
    await mkdir(many);
    const names = Array.from({ length: DEFAULT_LIMITS.maxFiles }, (_, i) => `f${i}.json`);
    for (let i = 0; i < names.length; i += 500) {
      await Promise.all(names.slice(i, i + 500).map((name) => writeFile(join(many, name), "")));
    }
    await refusedWhileInside("many", `bundle has more than ${DEFAULT_LIMITS.maxFiles} files`);
  });

  it.each([
    ["an array", "[1, 2]"],
    ["a string", '"open"'],
    ["null", "null"],
  ])("a root data.json that is %s, not an object: refused", async (_, text) => {
    const previous = await readFile(join(bundleDir, "data.json"));
    await expectRefusal(
      target,
      () => replace(join(bundleDir, "data.json"), text),
      "data.json at the root must be an object",
      "D1",
    );
    await replace(join(bundleDir, "data.json"), previous);
  });

  it.each([
    ["data.json", '{"switch": {"open": true, "marker": "D9"}'],
    ["data.json", "{'switch': 1}"],
    ["tenants/acme/data.json", '{"roles": [}'],
  ])(
    "%s that is not JSON (%s): refused, naming the file and the parse error",
    async (name, text) => {
      const file = join(bundleDir, name);
      const previous = await readFile(file).catch(() => undefined);
      await mkdir(dirname(file), { recursive: true });
      await expectRefusal(
        target,
        () => replace(file, text),
        `${name} is not JSON: ${jsonError(text)}`,
        "D1",
      );
      if (previous) return replace(file, previous);
      await rename(join(bundleDir, "tenants"), join(staging, "tenants"));
      await rm(join(staging, "tenants"), { recursive: true });
    },
  );

  it("after every refusal the watch goes on: a good data.json edit loads", async () => {
    await replace(
      join(bundleDir, "data.json"),
      JSON.stringify({ switch: { open: true, marker: "D2" } }),
    );
    expect(await until(async () => marker(await target.client.check(request())) === "D2")).toBe(
      true,
    );
  });
});

describe("a bundle server", () => {
  const LIMIT = DEFAULT_LIMITS.maxTotalBytes;
  type Mode =
    | { kind: "bundle"; etag: string; bytes: Buffer }
    | { kind: "status"; status: number }
    | { kind: "declared" }
    | { kind: "streamed" };
  let mode: Mode;
  let requests = 0;
  /** The endless answers (declared or streamed), as the server saw them. */
  let answers: Array<{ written: number; closed: boolean }> = [];
  let url: string;
  let target: Awaited<ReturnType<typeof sidecar>>;
  /** Good bundles marked H1…H6, built before any bad answer starts (a build takes a while). */
  const good = new Map<string, Buffer>();

  /** Writes zeros in 1 MiB chunks as fast as the client reads, `limit` bytes at most. */
  function endless(res: ServerResponse, answer: { written: number }, limit: number) {
    const chunk = Buffer.alloc(1024 * 1024);
    const pump = () => {
      while (!res.destroyed && answer.written < limit) {
        answer.written += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      if (!res.destroyed) res.end();
    };
    pump();
  }

  beforeAll(async () => {
    const names = ["H1", "H2", "H3", "H4", "H5", "H6"];
    const built = await Promise.all(names.map((name) => marked(name)));
    for (const [i, name] of names.entries()) good.set(name, built[i] as Buffer);
    mode = { kind: "bundle", etag: '"H1"', bytes: good.get("H1") as Buffer };
    const server = createServer((req, res) => {
      requests++;
      if (mode.kind === "bundle") {
        if (req.headers["if-none-match"] === mode.etag) return void res.writeHead(304).end();
        return void res.writeHead(200, { etag: mode.etag }).end(mode.bytes);
      }
      if (mode.kind === "status")
        return void res.writeHead(mode.status).end("bundle service unavailable\n");
      const answer = { written: 0, closed: false };
      answers.push(answer);
      res.on("close", () => {
        answer.closed = true;
      });
      if (mode.kind === "declared") {
        // Declares one byte over the limit, sends 64 KiB and holds the rest back.
        res.writeHead(200, { "content-length": String(LIMIT + 1) });
        answer.written = 64 * 1024;
        res.write(Buffer.alloc(answer.written));
        return;
      }
      // No Content-Length: Node sends the body chunked. 64 MiB past the limit, then the end.
      res.writeHead(200);
      endless(res, answer, LIMIT + 64 * 1024 * 1024);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/bundles/authz.tar.gz`;
    target = await sidecar({ policy: { bundle: url, pollInterval: "50ms", fetchTimeout: "30s" } });
  });

  /** Serves a new good bundle and waits until the sidecar does. */
  async function serveGood(name: string) {
    mode = { kind: "bundle", etag: `"${name}"`, bytes: good.get(name) as Buffer };
    expect(await until(async () => marker(await target.client.check(request())) === name)).toBe(
      true,
    );
  }

  /** Switches the server to answering `next`: refused with `message`, `serving` still served. */
  const refusedWhen = (next: Mode, message: string, serving: string) =>
    expectRefusal(
      target,
      async () => {
        mode = next;
      },
      message,
      serving,
    );

  /** Three more polls meet the same failure: asked again each time, reported no more. */
  async function reportedOnce() {
    const before = await refusals(target.s);
    const seen = requests;
    expect(await until(() => requests >= seen + 3)).toBe(true);
    expect(await refusals(target.s)).toBe(before);
    expect(logLines(target.s, REFUSED).map((line) => line.err)).toEqual(target.refused);
  }

  it("a non-2xx answer: refused once while it lasts, though asked again at every poll", async () => {
    await refusedWhen({ kind: "status", status: 503 }, `${url}: HTTP 503`, "H1");
    await reportedOnce();
    // It recovers, and the next failure is reported again.
    await serveGood("H2");
    await refusedWhen({ kind: "status", status: 500 }, `${url}: HTTP 500`, "H2");
  });

  /** An endless answer of `kind` is refused; once the server recovers, every one was hung up on. */
  async function abandoned(kind: "declared" | "streamed", serving: string, next: string) {
    await serveGood(serving);
    answers = [];
    const message = `${url}: bundle larger than ${LIMIT} bytes`;
    await refusedWhen({ kind }, message, serving);
    await reportedOnce();
    await serveGood(next);
    expect(await until(() => answers.every((answer) => answer.closed))).toBe(true);
    expect(answers.length).toBeGreaterThanOrEqual(3);
  }

  it(`a Content-Length over ${LIMIT} bytes: refused before the body, each connection closed`, async () => {
    // Left unread, each body would hold its connection open: one more per poll.
    await abandoned("declared", "H3", "H4");
  });

  it(`a chunked body past ${LIMIT} bytes: refused once past the limit, the download abandoned`, async () => {
    await abandoned("streamed", "H5", "H6");
    // Read no further than the limit (and what the sockets buffer): far short of what was offered.
    for (const answer of answers) expect(answer.written).toBeLessThan(LIMIT + 32 * 1024 * 1024);
  });
});

describe("a policy that fails while evaluating", () => {
  const POLICY = `package envoy.authz

import rego.v1

default allow := false

allow if input.parsed_path == ["ok"]

mode := "read" if input.parsed_path == ["conflict"]

mode := "write" if input.parsed_path == ["conflict"]

allow if mode == "never"

# 640 KB of strings and their array: within 32 MiB of wasm memory, past 4 MiB.
allow if {
  input.parsed_path == ["large"]
  text := concat("", [s | some i in numbers.range(1, 20000); s := "0123456789abcdef0123456789abcdef"])
  count(text) > 0
}
`;
  /** One evaluation thread, so every check after a trap meets the instance that trapped. */
  let capped: Awaited<ReturnType<typeof sidecar>>;
  let roomy: Awaited<ReturnType<typeof sidecar>>;
  let source: string;

  beforeAll(async () => {
    const path = await buildPolicy(POLICY, {});
    made.push(dirname(path));
    // opa names the source by the path it was built from.
    source = join(dirname(path), "policy.rego");
    const config = (maxMemoryPages?: number) => ({
      policy: {
        bundle: path,
        evaluationThreads: 1,
        // About errors, not time: a deadline no loaded machine reaches.
        evaluationTimeout: "10s",
        ...(maxMemoryPages ? { maxMemoryPages } : {}),
      },
      cache: { enabled: false },
      decisionLog: { console: true },
    });
    [capped, roomy] = await Promise.all([sidecar(config(64)), sidecar(config())]);
  });

  /** The decision log event (stdout) of a check's decision id. */
  async function decisionEvent(s: Sidecar, result: CallResult) {
    const id = result.ok
      ? (result.response.dynamicMetadata as { decision_id?: string } | undefined)?.decision_id
      : undefined;
    expect(id).toBeDefined();
    const find = () => s.stdout.find((line) => line.includes(`"decision_id":"${id}"`));
    await until(() => find() !== undefined);
    return JSON.parse(find() ?? "{}") as { error?: { code: string; message: string } };
  }

  /** Expects the check denied as an evaluation error with `message`; then good checks answer. */
  async function expectTrap(target: typeof capped, path: string, message: string) {
    for (let i = 0; i < 3; i++) {
      const result = await target.client.check(request(path));
      expect(deniedBody(result)).toBe("policy_eval_error");
      expect(outcome(result)).toBe("Forbidden");
      expect((await decisionEvent(target.s, result)).error).toEqual({
        code: "policy_eval_error",
        message,
      });
      // The trapped instance is dropped and the next evaluation gets a fresh one: good checks
      // right after are answered, on the same (only) thread.
      for (let j = 0; j < 3; j++)
        expect(outcome(await target.client.check(request("/ok")))).toBe("allowed");
      expect(outcome(await target.client.check(request("/other")))).toBe("denied");
    }
    expect(logLines(target.s, "policy evaluation thread failed; replaced")).toEqual([]);
  }

  it("two complete rules with different values (a conflict): policy_eval_error", async () => {
    const line = POLICY.split("\n").indexOf('mode := "write" if input.parsed_path == ["conflict"]');
    await expectTrap(capped, "/conflict", `${source}:${line + 1}:1: var assignment conflict`);
  });

  it("past policy.maxMemoryPages (64 pages, 4 MiB): policy_eval_error; within the default cap it is allowed", async () => {
    await expectTrap(capped, "/large", "opa_malloc: failed");
    expect(outcome(await roomy.client.check(request("/large")))).toBe("allowed");
  });
});

describe("the revocation file (identity.revocationFile, without Redis)", () => {
  const ISSUER = "https://idp.policy-errors.test/";
  let key: SigningKey;
  let file: string;
  let target: Awaited<ReturnType<typeof sidecar>>;
  const UNREADABLE = "revocation file unreadable; last list keeps applying";

  const as = async (sub: string) =>
    target.client.check(
      request("/x", {
        authorization: `Bearer ${await sign(key, { iss: ISSUER, aud: "openclaw", sub })}`,
      }),
    );

  beforeAll(async () => {
    key = await signingKey("revocation-1", "ES256");
    const jwks = await jwksFile(key);
    made.push(dirname(jwks));
    file = join(root, "revocations.ndjson");
    const path = join(root, "allow-all.tar.gz");
    await writeFile(path, await bundle("package envoy.authz\n\ndefault allow := true\n", {}));
    target = await sidecar({
      policy: { bundle: path },
      identity: {
        jwt: { issuers: [es256Issuer(ISSUER, jwks)] },
        revocationFile: file,
        fileRefreshInterval: "50ms",
      },
    });
  });

  it("not there yet: nothing is revoked, and nothing is logged", async () => {
    expect(outcome(await as("mallory"))).toBe("allowed");
    expect(logLines(target.s, UNREADABLE)).toEqual([]);
  });

  it("removed after it was read: the last list keeps applying, and the log says so", async () => {
    const revocation = { kind: "subject", value: "mallory", untilMs: Date.now() + 3_600_000 };
    await replace(file, `${JSON.stringify(revocation)}\n`);
    expect(await until(async () => outcome(await as("mallory")) === "Unauthorized")).toBe(true);
    await unlink(file);
    expect(await until(() => logLines(target.s, UNREADABLE).length > 0)).toBe(true);
    expect(logLines(target.s, UNREADABLE)).toMatchObject([
      { file, err: `ENOENT: no such file or directory, stat '${file}'` },
    ]);
    expect(outcome(await as("mallory"))).toBe("Unauthorized");
    expect(outcome(await as("trent"))).toBe("allowed");
    // Emptied (not removed), the file lifts every revocation.
    await replace(file, "");
    expect(await until(async () => outcome(await as("mallory")) === "allowed")).toBe(true);
  });
});

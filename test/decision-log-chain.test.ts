/**
 * The decision log's hash chain end to end: a real sidecar answers real checks over gRPC, is
 * restarted (linking by its state file, then by the Redis Stream) with a rotated key, and the log
 * it wrote (stdout, the Redis Stream, a collector's uploads) verifies; then the log is tampered
 * with in each way `logs verify` knows and the exact report is asserted.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { eventHash } from "../src/decision-log/chain.js";
import { checkClient } from "./support/client.js";
import { type Collector, startCollector } from "./support/collector.js";
import { built } from "./support/paths.js";
import { run, startSidecar } from "./support/processes.js";
import { startRedis, type TestRedis } from "./support/redis.js";
import { until } from "./support/wait.js";

type Event = Record<string, unknown> & { seq: number; hash: string; kind?: string };

let dir: string;
let redis: TestRedis;
let collector: Collector;
let configPath: string;
/** The three runs' stdout, concatenated: the log under test. */
const lines: string[] = [];
const events = () => lines.map((line) => JSON.parse(line) as Event);

function keyPair(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    pem: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    jwk: { ...publicKey.export({ format: "jwk" }), kid },
  };
}
const key1 = keyPair("audit-1");
const key2 = keyPair("audit-2");

const request = (path: string) => ({
  attributes: {
    source: { address: { socketAddress: { address: "203.0.113.9", portValue: 1 } } },
    request: { http: { method: "GET", path, host: "api.test", headers: {} } },
  },
});

async function runSidecar(keyFile: string, keyId: string, stateFile: string | undefined) {
  const s = await startSidecar({
    policy: { bundle: built("build/policy/bundle.tar.gz") },
    cache: { enabled: false },
    decisionLog: {
      redisStream: { url: redis.url, stream: "chain-test" },
      remote: { url: collector.url, batchDelay: "20ms" },
      chain: {
        name: "chain-test",
        ...(stateFile ? { stateFile } : {}),
        checkpoint: { keyFile, keyId, every: 4 },
      },
    },
  });
  const client = checkClient(s.grpc);
  for (const path of ["/healthz", "/nope", "/healthz", "/x", "/healthz", "/y", "/healthz"])
    await client.check(request(path));
  client.close();
  await until(async () => s.stdout.length >= 8);
  expect(await s.stop()).toBe(0);
  lines.push(...s.stdout);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "oc-chain-"));
  redis = await startRedis();
  collector = await startCollector();
  await writeFile(join(dir, "key1.pem"), key1.pem);
  await writeFile(join(dir, "key2.pem"), key2.pem);
  await writeFile(join(dir, "keys.json"), JSON.stringify({ keys: [key1.jwk, key2.jwk] }));
  await writeFile(join(dir, "key1-only.json"), JSON.stringify({ keys: [key1.jwk] }));
  configPath = join(dir, "verify.yaml");
  await writeFile(
    configPath,
    stringify({ decisionLog: { redisStream: { url: redis.url, stream: "chain-test" } } }),
  );
  const state = join(dir, "chain.state");
  await runSidecar(join(dir, "key1.pem"), "audit-1", state);
  await runSidecar(join(dir, "key2.pem"), "audit-2", state);
  await runSidecar(join(dir, "key2.pem"), "audit-2", undefined);
}, 120_000);

afterAll(async () => {
  await collector?.stop();
  await redis?.stop();
});

/** Runs `logs verify --json` over `text` (or other source arguments); its exit code and report. */
async function verify(text: string | undefined, keys = "keys.json", source: string[] = []) {
  const path = join(dir, "log.ndjson");
  if (text !== undefined) await writeFile(path, text);
  const args = [built("dist/main.js"), "logs", "verify", "--config", configPath, "--json"];
  args.push("--keys", join(dir, keys), ...(text === undefined ? source : ["--log", path]));
  try {
    const { stdout } = await run("node", args);
    return { code: 0, report: JSON.parse(stdout) };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    if (code !== 1) throw new Error(stderr);
    return { code, report: JSON.parse(stdout) };
  }
}
const ndjson = (list: string[]) => `${list.join("\n")}\n`;

describe("a real sidecar's log", () => {
  it("is one chain across three runs: linked by the state file, then by the Redis Stream", () => {
    const all = events();
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i));
    expect(new Set(all.map((e) => e.chain_id)).size).toBe(1);
    const starts = all.filter((e) => e.kind === "segment_start");
    expect(starts.map((e) => e.link)).toEqual(["none", "state_file", "redis_stream"]);
    for (const start of starts.slice(1)) expect(start.prev_hash).toBe(all[start.seq - 1]?.hash);
    expect(all.at(-1)?.kind).toBe("checkpoint");
    expect(all.filter((e) => e.decision_id).length).toBe(21);
    expect(all.every((e) => eventHash(e) === e.hash)).toBe(true);
  });

  it("verifies from a file, the Redis Stream and the collector's uploads", async () => {
    const last = lines.length - 1;
    const intact = { code: 0, report: expect.objectContaining({ problems: [] }) };
    const fromFile = await verify(ndjson(lines));
    expect(fromFile).toMatchObject(intact);
    expect(fromFile.report.chains[0]).toMatchObject({
      events: lines.length,
      verified: [[0, last]],
    });
    expect(await verify(undefined, "keys.json", ["--redis-stream"])).toMatchObject(intact);
    const uploads = join(dir, "uploads");
    await rm(uploads, { recursive: true, force: true });
    await mkdir(uploads);
    for (const [i, { body }] of collector.requests.entries())
      await writeFile(join(uploads, `${String(i).padStart(4, "0")}.json.gz`), gzipSync(body));
    const fromDir = await verify(undefined, "keys.json", ["--dir", uploads]);
    expect(fromDir).toMatchObject(intact);
    expect(fromDir.report.chains[0].verified).toEqual([[0, last]]);
  });

  it("says whose key is missing: the rotated key's checkpoints are bad signatures", async () => {
    const { code, report } = await verify(ndjson(lines), "key1-only.json");
    expect(code).toBe(1);
    const signedBy2 = events().filter((e) => e.kind === "checkpoint" && e.key_id === "audit-2");
    expect(report.problems.filter((p: { kind: string }) => p.kind === "bad_signature")).toEqual(
      signedBy2.map((e) => ({
        kind: "bad_signature",
        chain_id: e.chain_id,
        seq: e.seq,
        at: `line ${e.seq + 1}`,
        detail: 'unknown key_id "audit-2"',
      })),
    );
  });
});

describe("a tampered log", () => {
  const decision = (n: number) => events().filter((e) => e.decision_id)[n] as Event;
  const problem = (kind: string, e: Event, detail: string, extra: object = {}) => ({
    kind,
    chain_id: e.chain_id,
    seq: e.seq,
    ...extra,
    at: `line ${e.seq + 1}`,
    detail,
  });

  it("a deleted event is a gap", async () => {
    const gone = decision(5);
    const { code, report } = await verify(ndjson(lines.filter((_, i) => i !== gone.seq)));
    expect(code).toBe(1);
    expect(report.problems).toEqual([
      { ...problem("gap", gone, "missing", { last_seq: gone.seq }), at: `line ${gone.seq + 1}` },
    ]);
    const signedBefore = events().filter((e) => e.kind === "checkpoint" && e.seq < gone.seq);
    expect(report.chains[0].verified).toEqual([
      ...signedBefore.slice(-1).map((e) => [0, e.seq]),
      [gone.seq + 1, lines.length - 1],
    ]);
  });

  it("an edited event is an edit, rehashed or not", async () => {
    const target = decision(1);
    const edited = { ...target, allowed: !target.allowed };
    const plain = lines.map((l, i) => (i === target.seq ? JSON.stringify(edited) : l));
    expect((await verify(ndjson(plain))).report.problems).toEqual([
      problem("edit", target, "its hash does not match its content"),
    ]);
    const rehashed = { ...edited, hash: eventHash(edited) };
    const resealed = lines.map((l, i) => (i === target.seq ? JSON.stringify(rehashed) : l));
    const { code, report } = await verify(ndjson(resealed));
    expect(code).toBe(1);
    expect(report.problems).toEqual([
      problem("edit", target, "its hash is not the prev_hash of the next"),
    ]);
  });

  it("swapped events are a reorder", async () => {
    const a = decision(2);
    const swapped = [...lines];
    [swapped[a.seq], swapped[a.seq + 1]] = [lines[a.seq + 1] as string, lines[a.seq] as string];
    const { code, report } = await verify(ndjson(swapped));
    expect(code).toBe(1);
    expect(report.problems).toEqual([
      { ...problem("reorder", a, `read after seq ${a.seq + 1}`), at: `line ${a.seq + 2}` },
    ]);
  });

  it("a forged event with an existing seq is an insert", async () => {
    const copied = decision(3);
    const forged = { ...copied, decision_id: "forged" };
    const sealed = JSON.stringify({ ...forged, hash: eventHash(forged) });
    const withForgery = [...lines.slice(0, copied.seq + 1), sealed, ...lines.slice(copied.seq + 1)];
    const { code, report } = await verify(ndjson(withForgery));
    expect(code).toBe(1);
    expect(report.problems).toEqual([
      { ...problem("insert", copied, `a second seq ${copied.seq}`), at: `line ${copied.seq + 2}` },
    ]);
  });

  it("a rewritten chain cannot carry the checkpoints' signatures", async () => {
    const all = events();
    // Re-hash the whole chain after editing the first decision, checkpoints' links included.
    let prev: string | null = null;
    const rewritten = all.map((e, i) => {
      const changed: Event = { ...e, prev_hash: prev, ...(i === 1 ? { allowed: !e.allowed } : {}) };
      if (e.kind === "checkpoint") changed.head_hash = prev;
      changed.hash = eventHash(changed);
      prev = changed.hash;
      return JSON.stringify(changed);
    });
    const { code, report } = await verify(ndjson(rewritten));
    expect(code).toBe(1);
    const checkpoints = all.filter((e) => e.kind === "checkpoint");
    expect(report.problems).toEqual([
      ...checkpoints.map((e) =>
        problem("bad_signature", e, `signature does not verify with key ${e.key_id}`),
      ),
      problem("unsigned_tail", all[0] as Event, "no good checkpoint signs these", {
        last_seq: all.length - 1,
      }),
    ]);
  });

  it("a cut-off final checkpoint leaves an unsigned tail", async () => {
    const all = events();
    const checkpoints = all.filter((e) => e.kind === "checkpoint");
    const before = checkpoints.at(-2) as Event;
    const { code, report } = await verify(ndjson(lines.slice(0, -1)));
    expect(code).toBe(1);
    expect(report.problems).toEqual([
      problem("unsigned_tail", all[before.seq + 1] as Event, "no good checkpoint signs these", {
        last_seq: all.length - 2,
      }),
    ]);
    expect(report.chains[0].verified).toEqual([[0, before.seq]]);
  });
});

describe("logs export", () => {
  it("writes the denied decisions as CSV with the documented columns", async () => {
    const denied = events().filter((e) => e.decision_id && e.allowed === false);
    const { stdout } = await run("node", [
      built("dist/main.js"),
      "logs",
      "export",
      "--config",
      configPath,
      "--format",
      "csv",
      "--deny-only",
      "--redis-stream",
      "--since",
      "2000-01-01T00:00:00Z",
    ]);
    const rows = stdout.trimEnd().split("\r\n");
    expect(rows[0]).toBe(
      "timestamp,decision_id,allowed,dry_run,reason,error_code,subject,methods,http_method,http_host,http_path,source_address,cache,bundle_revision,sidecar_id,chain_id,seq,hash",
    );
    expect(rows.slice(1).map((row) => row.split(",")[1])).toEqual(denied.map((e) => e.decision_id));
    expect(rows[1]?.split(",").slice(2, 5)).toEqual(["false", "false", "no route for GET /nope"]);
    expect(rows[1]?.split(",")[10]).toBe("/nope");
  });
});

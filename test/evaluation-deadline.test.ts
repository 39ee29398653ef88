/**
 * Evaluation runs on threads with a deadline (issue: a slow policy was answered *allowed* after
 * 51 s while every other check and the health check waited). A policy with a slow route and a
 * memory-hungry route, built by the real `opa`, served under the image's heap flags.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPolicy } from "./support/bundles.js";
import { type CallResult, checkClient } from "./support/client.js";
import { IMAGE_NODE_FLAGS, type Sidecar, startSidecar } from "./support/processes.js";
import { until } from "./support/wait.js";

const POLICY = `package envoy.authz

import rego.v1

default allow := false

allow if input.parsed_path == ["fast"]

# 2000³ steps without allocating: minutes of wasm, far past any deadline.
allow if {
  input.parsed_path == ["slow"]
  some x in data.xs
  some y in data.xs
  some z in data.xs
  x == y
  y == z
  x < 0
}

# 64 MB of strings: past the 32 MiB wasm memory of a thread within milliseconds.
allow if {
  input.parsed_path == ["huge"]
  text := concat("", [s | some i in numbers.range(1, 2000000); s := "0123456789abcdef0123456789abcdef"])
  count(text) > 0
}
`;

const get = (path: string) => ({
  attributes: { request: { http: { method: "GET", path } } },
});

const body = (result: CallResult) =>
  result.ok ? (result.response.deniedResponse as { body?: string } | undefined)?.body : undefined;

const allowed = (result: CallResult) =>
  result.ok && (result.response.status as { code?: number }).code === undefined;

describe("evaluation deadline", () => {
  let sidecar: Sidecar;
  let client: ReturnType<typeof checkClient>;
  beforeAll(async () => {
    const bundle = await buildPolicy(POLICY, { xs: Array.from({ length: 2000 }, (_, i) => i) });
    sidecar = await startSidecar(
      {
        policy: { bundle, evaluationTimeout: "250ms" },
        cache: { enabled: false },
        decisionLog: { console: true },
      },
      IMAGE_NODE_FLAGS,
      // The deadline is measured: without coverage counters.
      { coverage: false },
    );
    client = checkClient(sidecar.grpc);
  });
  afterAll(async () => {
    client?.close();
    expect(await sidecar?.stop()).toBe(0);
  });

  it("denies a slow evaluation at the deadline while other checks and health keep answering", async () => {
    const started = performance.now();
    const slow = client.check(get("/slow")).then((result) => ({
      result,
      elapsedMs: performance.now() - started,
    }));
    const fast: CallResult[] = [];
    const health: number[] = [];
    let done = false;
    void slow.then(() => (done = true));
    while (!done) {
      fast.push(await client.check(get("/fast")));
      health.push((await fetch(`http://${sidecar.admin}/healthz`)).status);
    }
    const { result, elapsedMs } = await slow;
    expect(body(result)).toBe("policy_eval_timeout");
    expect(result).toMatchObject({ ok: true, response: { status: { code: 7 } } });
    expect(elapsedMs).toBeLessThan(1_000);
    expect(fast.length).toBeGreaterThan(0);
    expect(fast.every(allowed)).toBe(true);
    expect(health.every((status) => status === 200)).toBe(true);
  });

  it("logs the timeout as its own error and replaces the thread", async () => {
    await until(() => sidecar.stdout.some((line) => line.includes('"policy_eval_timeout"')));
    const events = sidecar.stdout
      .filter((line) => line.includes('"policy_eval_timeout"'))
      .map((line) => JSON.parse(line) as { error: { code: string; message: string } });
    expect(events.length).toBeGreaterThan(0);
    expect(events[0]?.error).toEqual({
      code: "policy_eval_timeout",
      message: "deadline of 250 ms passed while evaluating",
    });
    for (let i = 0; i < 20; i++) expect(allowed(await client.check(get("/fast")))).toBe(true);
  });

  it("queued checks share the deadline: slow ones on every thread time out, none is allowed", async () => {
    const results = await Promise.all([
      client.check(get("/slow")),
      client.check(get("/slow")),
      client.check(get("/slow")),
    ]);
    expect(results.map(body)).toEqual([
      "policy_eval_timeout",
      "policy_eval_timeout",
      "policy_eval_timeout",
    ]);
    const waited = () =>
      sidecar.stdout.some((line) =>
        line.includes("deadline of 250 ms passed while waiting for an evaluation thread"),
      );
    await until(waited);
    expect(waited()).toBe(true);
  });
});

describe("an evaluation past the wasm memory cap (32 MiB per thread)", () => {
  let memorySidecar: Sidecar;
  let memoryClient: ReturnType<typeof checkClient>;
  beforeAll(async () => {
    const bundle = await buildPolicy(POLICY, { xs: [] });
    // A deadline out of reach: this is about memory, however slow the machine.
    memorySidecar = await startSidecar(
      { policy: { bundle, evaluationTimeout: "30s" }, cache: { enabled: false } },
      IMAGE_NODE_FLAGS,
    );
    memoryClient = checkClient(memorySidecar.grpc);
  });
  afterAll(async () => {
    memoryClient?.close();
    expect(await memorySidecar?.stop()).toBe(0);
  });

  it("is an evaluation error, and the process stays inside the container limit", async () => {
    for (let i = 0; i < 3; i++) {
      const result = await memoryClient.check(get("/huge"));
      expect(body(result)).toBe("policy_eval_error");
    }
    expect(allowed(await memoryClient.check(get("/fast")))).toBe(true);
    // VmHWM: the process's peak resident set since it started, every evaluation above included.
    const status = await readFile(`/proc/${memorySidecar.process.pid}/status`, "utf8");
    const peakKiB = Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1]);
    expect(peakKiB).toBeGreaterThan(0);
    expect(peakKiB / 1024).toBeLessThan(256);
  });
});

/**
 * The transport limits against a raw HTTP/2 attacker: many Check streams that declare a large
 * message, send part of it and never finish. The sidecar must keep its memory bounded, end the
 * stalled calls with a gRPC status, and keep answering real Check calls meanwhile.
 */
import { readFile } from "node:fs/promises";
import { type ClientHttp2Session, type ClientHttp2Stream, connect } from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallResult, checkClient } from "./support/client.js";
import { built } from "./support/paths.js";
import { type Sidecar, startSidecar } from "./support/processes.js";

const MiB = 2 ** 20;
const RECEIVE_TIMEOUT_MS = 4_000;
const BUFFERED = 8 * MiB;
const CONNECTIONS = 4;
const STREAMS_PER_CONNECTION = 60;
const publicRead = {
  attributes: { request: { http: { method: "GET", path: "/api/v1/public/docs", headers: {} } } },
};

/** What one stalled stream came back with. */
interface Stalled {
  openedAt: number;
  status?: number;
  message?: string;
  endedAt?: number;
}

/** Opens `count` Check streams that declare `declared` bytes, send `sent` bytes and stall. */
function stall(session: ClientHttp2Session, count: number, declared: number, sent: number) {
  const results: Stalled[] = [];
  for (let i = 0; i < count; i++) {
    const result: Stalled = { openedAt: Date.now() };
    results.push(result);
    const stream: ClientHttp2Stream = session.request({
      ":method": "POST",
      ":path": "/envoy.service.auth.v3.Authorization/Check",
      "content-type": "application/grpc",
      te: "trailers",
    });
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(declared, 1);
    stream.write(prefix);
    stream.write(Buffer.alloc(sent, 0x61));
    // A trailers-only response carries grpc-status in its headers.
    const record = (headers: Record<string, unknown>) => {
      if (headers["grpc-status"] === undefined || result.status !== undefined) return;
      result.status = Number(headers["grpc-status"]);
      result.message = decodeURIComponent(String(headers["grpc-message"] ?? ""));
      result.endedAt = Date.now();
    };
    stream.on("response", record);
    stream.on("trailers", record);
    stream.on("error", () => {});
    stream.resume();
  }
  return results;
}

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for ${pid}`);
  return Number(kib) * 1024;
}

describe("transport limits under stalled uploads", () => {
  let sidecar: Sidecar;
  let pid: number;
  beforeAll(async () => {
    sidecar = await startSidecar(
      {
        policy: { bundle: built("build/policy/bundle.tar.gz") },
        server: {
          receiveTimeout: `${RECEIVE_TIMEOUT_MS}ms`,
          maxBufferedBytes: BUFFERED,
          maxRequestBytes: 4 * MiB,
        },
      },
      ["--max-old-space-size=128"],
      // Deadlines and memory are measured: without coverage counters.
      { coverage: false },
    );
    pid = sidecar.process.pid as number;
  });
  afterAll(() => sidecar?.stop());

  it("announces the streams-per-connection limit in its HTTP/2 SETTINGS", async () => {
    const session = connect(`http://${sidecar.grpc}`);
    const settings = await new Promise<{ maxConcurrentStreams?: number }>((resolve) =>
      session.once("remoteSettings", resolve),
    );
    session.close();
    expect(settings.maxConcurrentStreams).toBe(100);
  });

  it("bounds memory, ends stalled calls with a status and keeps answering Check", async () => {
    const baseline = await rssBytes(pid);
    // Node counts a session's unsent writes against maxSessionMemory (10 MiB by default) and
    // then refuses the responses; the attacker queues 60 MiB per connection.
    const sessions = Array.from({ length: CONNECTIONS }, () =>
      connect(`http://${sidecar.grpc}`, { maxSessionMemory: 1024 }),
    );
    // 240 streams × 1 MiB sent of a declared 2 MiB: 240 MiB if all were kept.
    const stalled = sessions.flatMap((session) =>
      stall(session, STREAMS_PER_CONNECTION, 2 * MiB, MiB),
    );
    const client = checkClient(sidecar.grpc);
    const answers: { result: CallResult; at: number }[] = [];
    let peak = baseline;
    const deadline = Date.now() + RECEIVE_TIMEOUT_MS + 10_000;
    while (stalled.some((call) => call.status === undefined) && Date.now() < deadline) {
      const result = await client.check(publicRead);
      answers.push({ result, at: Date.now() });
      peak = Math.max(peak, await rssBytes(pid));
    }
    client.close();
    for (const session of sessions) session.destroy();

    // (a) Bounded memory: the budget plus headroom for code, heap growth and freed-but-unreturned
    // buffers — far from the 240 MiB the attack sends.
    expect(peak - baseline).toBeLessThan(BUFFERED + 64 * MiB);
    // (b) Every stalled call ended within the receive timeout (the loop's deadline), with
    // DEADLINE_EXCEEDED once the timeout passed, or RESOURCE_EXHAUSTED when shed for the budget.
    const byStatus: Record<string, Stalled[]> = {};
    for (const call of stalled) {
      const status = String(call.status);
      byStatus[status] = [...(byStatus[status] ?? []), call];
    }
    expect(Object.keys(byStatus).sort()).toEqual(["4", "8"]);
    for (const call of byStatus["4"] ?? []) {
      expect(call.message).toBe(`request not received within ${RECEIVE_TIMEOUT_MS} ms`);
      expect((call.endedAt as number) - call.openedAt).toBeGreaterThanOrEqual(RECEIVE_TIMEOUT_MS);
    }
    for (const call of byStatus["8"] ?? []) expect(call.message).toBe("receive buffers full");
    // (c) Real Check calls kept being answered, every one of them with the policy's decision.
    const lastStalledEnd = Math.max(...stalled.map((call) => call.endedAt as number));
    expect(answers.filter((answer) => answer.at < lastStalledEnd).length).toBeGreaterThan(2);
    for (const { result } of answers) {
      expect(result).toMatchObject({ ok: true, response: { okResponse: {} } });
    }
    // The operator sees each ended call once, by reason, in /metrics.
    const metrics = await (await fetch(`http://${sidecar.admin}/metrics`)).text();
    const line = (reason: string, count = 0) =>
      `openclaw_authz_rejected_requests_total{reason="${reason}"} ${count}\n`;
    expect(metrics).toContain(line("receive_timeout", byStatus["4"]?.length));
    expect(metrics).toContain(line("receive_buffers_full", byStatus["8"]?.length));
  });
});

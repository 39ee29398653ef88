import { describe, expect, it } from "vitest";
import { createQueuedSink, type SinkWriter } from "./queue.js";

function counters() {
  const c = { written: 0, dropped: 0, failed: 0 };
  return {
    c,
    events: {
      written: (_: string, n: number) => (c.written += n),
      dropped: (_: string, n: number) => (c.dropped += n),
      failed: () => c.failed++,
    },
  };
}

const options = { maxEvents: 5, maxBatch: 2, timeoutMs: 50, retryMs: 10, batchDelayMs: 0 };
const settle = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

describe("createQueuedSink", () => {
  it("writes everything in batches, in order", async () => {
    const seen: string[][] = [];
    const writer: SinkWriter = { name: "t", write: async (batch) => void seen.push(batch) };
    const { c, events } = counters();
    const sink = createQueuedSink(writer, options, events);
    for (const line of ["a", "b", "c"]) sink.push(line);
    await settle();
    expect(seen.flat()).toEqual(["a", "b", "c"]);
    expect(seen.every((batch) => batch.length <= 2)).toBe(true);
    expect(c.written).toBe(3);
  });

  it("never holds more than maxEvents behind a hanging writer, counting drops; push never waits", async () => {
    const writer: SinkWriter = {
      name: "t",
      write: (_, signal) =>
        new Promise((_, reject) =>
          signal.addEventListener("abort", () => reject(new Error("timeout"))),
        ),
    };
    const { c, events } = counters();
    const sink = createQueuedSink(writer, options, events);
    const started = performance.now();
    for (let i = 0; i < 1000; i++) sink.push(`e${i}`);
    expect(performance.now() - started).toBeLessThan(1000); // a hang detector: push is O(1)
    expect(sink.size()).toBeLessThanOrEqual(5);
    await settle(120);
    expect(c.dropped).toBeGreaterThanOrEqual(995);
    expect(c.failed).toBeGreaterThan(0);
    expect(sink.size()).toBeLessThanOrEqual(5);
  });

  it("retries a failed batch after a backoff, so a short outage loses nothing that fits", async () => {
    let failures = 2;
    const seen: string[] = [];
    const writer: SinkWriter = {
      name: "t",
      write: async (batch) => {
        if (failures-- > 0) throw new Error("down");
        seen.push(...batch);
      },
    };
    const { c, events } = counters();
    const sink = createQueuedSink(writer, options, events);
    for (const line of ["a", "b", "c"]) sink.push(line);
    await settle(150);
    expect(seen).toEqual(["a", "b", "c"]);
    expect(c.failed).toBe(2);
    expect(c.dropped).toBe(0);
  });

  it("flush writes what is queued and gives up at the deadline, counting the rest as dropped", async () => {
    const writer: SinkWriter = { name: "t", write: () => new Promise(() => {}) };
    const { c, events } = counters();
    const sink = createQueuedSink(writer, { ...options, batchDelayMs: 10_000 }, events);
    for (const line of ["a", "b", "c"]) sink.push(line);
    const started = Date.now();
    await sink.flush(Date.now() + 100);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(sink.size()).toBe(0);
    expect(c.dropped + c.written).toBeGreaterThanOrEqual(1);
  });
});

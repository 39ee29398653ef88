import { describe, expect, it } from "vitest";
import { until } from "../../test/support/wait.js";
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

/** A write that never completes by itself and rejects when its signal aborts (as the contract asks). */
const hangUntilAborted = (signal: AbortSignal) =>
  new Promise<void>((_, reject) =>
    signal.addEventListener("abort", () => reject(new Error("aborted"))),
  );

describe("createQueuedSink", () => {
  it("writes everything in batches, in order", async () => {
    const seen: string[][] = [];
    const writer: SinkWriter = { name: "t", write: async (batch) => void seen.push(batch) };
    const { c, events } = counters();
    const sink = createQueuedSink({ writer, events }, options);
    for (const line of ["a", "b", "c"]) sink.push(line);
    expect(await until(() => c.written === 3)).toBe(true);
    expect(seen.flat()).toEqual(["a", "b", "c"]);
    expect(seen.every((batch) => batch.length <= 2)).toBe(true);
    expect(c.written).toBe(3);
  });

  it("never holds more than maxEvents behind a hanging writer, counting drops; push never waits", async () => {
    let writes = 0;
    const writer: SinkWriter = {
      name: "t",
      write: (_, signal) => {
        writes++;
        return hangUntilAborted(signal);
      },
    };
    const { c, events } = counters();
    const sink = createQueuedSink({ writer, events }, options);
    const started = performance.now();
    for (let i = 0; i < 1000; i++) sink.push(`e${i}`);
    expect(performance.now() - started).toBeLessThan(1000); // a hang detector: push is O(1)
    expect(sink.size()).toBe(5);
    expect(c.dropped).toBe(995);
    // Two timed-out writes and a retry: the batch went back, and still nothing more is held.
    expect(await until(() => c.failed >= 2 && writes >= 3)).toBe(true);
    expect(c.dropped).toBe(995);
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
    const sink = createQueuedSink({ writer, events }, options);
    for (const line of ["a", "b", "c"]) sink.push(line);
    expect(await until(() => c.written === 3)).toBe(true);
    expect(seen).toEqual(["a", "b", "c"]);
    expect(c.failed).toBe(2);
    expect(c.dropped).toBe(0);
  });

  it("flush writes what is queued and gives up at the deadline, counting the rest as dropped", async () => {
    const written: string[][] = [];
    const abandoned: string[][] = [];
    // Takes the first batch, then hangs until the deadline aborts the write.
    const writer: SinkWriter = {
      name: "t",
      write: async (batch, signal) => {
        if (written.length > 0) {
          await hangUntilAborted(signal).catch((error) => {
            abandoned.push(batch);
            throw error;
          });
        }
        written.push(batch);
      },
    };
    const { c, events } = counters();
    // timeoutMs past the deadline: the deadline, not the write timeout, ends the second write.
    const sink = createQueuedSink(
      { writer, events },
      { ...options, timeoutMs: 60_000, batchDelayMs: 10_000 },
    );
    for (const line of ["a", "b", "c"]) sink.push(line);
    const started = Date.now();
    await sink.flush(started + 100);
    expect(Date.now() - started).toBeLessThan(2_000); // a hang detector
    expect(written).toEqual([["a", "b"]]);
    expect(sink.size()).toBe(0);
    expect({ written: c.written, dropped: c.dropped }).toEqual({ written: 2, dropped: 1 });
    // The abandoned write's own rejection, once it lands, changes no count.
    expect(await until(() => abandoned.length === 1)).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(abandoned).toEqual([["c"]]);
    expect({ written: c.written, dropped: c.dropped, size: sink.size() }).toEqual({
      written: 2,
      dropped: 1,
      size: 0,
    });
  });
});

import { appendFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { until } from "../../test/support/wait.js";
import { createQueuedSink, type SinkWriter } from "./queue.js";
import { openSpill } from "./spill.js";

const dirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), "oc-spill-"));
  dirs.push(dir);
  return join(dir, "redis");
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const lines = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `{"seq":${from + i},"pad":"${"x".repeat(100)}"}`);
const MiB = 1 << 20;

/** Takes everything the spill holds, in batches of `batch`, committing each. */
function drainAll(spill: ReturnType<typeof openSpill>, batch: number): string[] {
  const taken: string[] = [];
  while (!spill.empty()) {
    const lines = spill.peek(batch);
    taken.push(...lines);
    spill.commit(lines);
  }
  return taken;
}

describe("the spill", () => {
  it("gives lines back oldest first, across segments and a reopen, until committed", async () => {
    const dir = scratch();
    const spill = openSpill({ dir, maxBytes: MiB, syncIntervalMs: 10 });
    // 64 KiB segments: 2000 lines of ~112 bytes span four of them.
    for (let i = 0; i < 20; i++) expect(spill.append(lines(i * 100, i * 100 + 99))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith(".ndjson")).length).toBeGreaterThan(2);
    const first = spill.peek(700);
    expect(first).toEqual(lines(0, 699));
    spill.commit(first);
    await spill.close();

    const again = openSpill({ dir, maxBytes: MiB, syncIntervalMs: 10 });
    expect(drainAll(again, 333)).toEqual(lines(700, 1999));
    expect(readdirSync(dir).filter((f) => f.endsWith(".ndjson")).length).toBe(1);
    await again.close();
  });

  it("refuses what would pass maxBytes, and cuts off a line a crash left unfinished", async () => {
    const dir = scratch();
    const spill = openSpill({ dir, maxBytes: MiB, syncIntervalMs: 10 });
    let accepted = 0;
    while (spill.append(lines(accepted, accepted + 99))) accepted += 100;
    expect(spill.bytes()).toBeLessThanOrEqual(MiB);
    expect(spill.bytes() + 100 * 113).toBeGreaterThan(MiB);
    await spill.close();
    const last = readdirSync(dir)
      .filter((f) => f.endsWith(".ndjson"))
      .sort()
      .at(-1) as string;
    appendFileSync(join(dir, last), '{"seq":"torn');
    const reopened = openSpill({ dir, maxBytes: MiB, syncIntervalMs: 10 });
    expect(drainAll(reopened, 1000)).toEqual(lines(0, accepted - 1));
    await reopened.close();
  });
});

describe("a queued sink with a spill", () => {
  it("spills what does not fit while the sink fails, then writes everything once, in order", async () => {
    let down = true;
    const written: string[] = [];
    const writer: SinkWriter = {
      name: "redis",
      write: async (batch) => {
        if (down) throw new Error("down");
        written.push(...batch);
      },
    };
    const counts = { dropped: 0, spilled: 0, failed: 0 };
    const spill = openSpill({ dir: scratch(), maxBytes: MiB, syncIntervalMs: 10 });
    const sink = createQueuedSink(
      {
        writer,
        spill,
        events: {
          written: () => {},
          dropped: (_, n) => {
            counts.dropped += n;
          },
          spilled: (_, n) => {
            counts.spilled += n;
          },
          failed: () => {
            counts.failed++;
          },
        },
      },
      { maxEvents: 10, maxBatch: 7, timeoutMs: 100, retryMs: 5, batchDelayMs: 0 },
    );
    const all = lines(0, 499);
    for (const line of all) sink.push(line);
    expect(await until(async () => counts.failed > 0)).toBe(true);
    expect(counts.spilled).toBeGreaterThan(400);
    down = false;
    expect(await until(async () => written.length >= all.length)).toBe(true);
    expect(written).toEqual(all);
    expect(counts.dropped).toBe(0);
    await sink.flush(Date.now() + 1_000);
  });
});

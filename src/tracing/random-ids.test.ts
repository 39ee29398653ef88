import { describe, expect, it } from "vitest";
import { randomIds, randomSpanIdBytes } from "./random-ids.js";

describe("random ids", () => {
  it("trace and span ids are W3C's: lower-case hex of 16 and 8 bytes, each new", () => {
    const ids = randomIds();
    const traces = Array.from({ length: 600 }, ids.traceId);
    const spans = Array.from({ length: 600 }, ids.spanId);
    for (const id of traces) expect(id).toMatch(/^[0-9a-f]{32}$/);
    for (const id of spans) expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set(traces).size).toBe(traces.length);
    expect(new Set(spans).size).toBe(spans.length);
  });

  it("span ids as bytes go where they are asked, never all zero, each new across pool refills", () => {
    const write = randomSpanIdBytes();
    const into = Buffer.alloc(8 * 1200);
    // 1200 ids take the 4 KiB pool more than twice.
    for (let i = 0; i < 1200; i++) write(into, i * 8);
    const ids = Array.from({ length: 1200 }, (_, i) => into.toString("hex", i * 8, i * 8 + 8));
    expect(ids).not.toContain("0".repeat(16));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

import { describe, expect, it } from "vitest";
import { randomIds } from "./random-ids.js";

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
});

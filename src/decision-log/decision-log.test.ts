import { describe, expect, it } from "vitest";
import type { CheckResponse, DecisionRecord } from "../authz/index.js";
import { createDecisionLog, createMasker } from "./index.js";
import type { QueuedSink } from "./queue.js";

const DENIED: CheckResponse = { status: { code: 7 } };
const context = {
  path: "envoy/authz/allow",
  labels: { id: "i" },
  masks: createMasker({ erase: [], mask: [] }),
};

function memorySink(): QueuedSink & { lines: string[] } {
  const lines: string[] = [];
  return { lines, push: (line) => lines.push(line), flush: async () => {}, size: () => 0 };
}

const record = (input: unknown): DecisionRecord => ({
  decisionId: "d-1",
  timestamp: new Date(0),
  metrics: {},
  allowed: false,
  dryRun: false,
  input: input as DecisionRecord["input"],
});

/** An input nested far deeper than JSON.stringify recurses. */
function tooDeep(): unknown {
  let node: unknown = 1;
  for (let i = 0; i < 200_000; i++) node = { a: node };
  return node;
}

describe("createDecisionLog", () => {
  it("logs an event whose input cannot be serialized without the input, saying so", async () => {
    const sink = memorySink();
    const errors: Error[] = [];
    const log = createDecisionLog(
      { sinks: [sink], onError: (error) => errors.push(error) },
      context,
    );
    log.log(record({ deep: tooDeep() }), DENIED);
    log.log(record({ fine: true }), DENIED);
    await log.flush(1_000);
    const [first, second] = sink.lines.map((line) => JSON.parse(line));
    expect(first).toMatchObject({ decision_id: "d-1", erased: ["/input"] });
    expect(first).not.toHaveProperty("input");
    expect(second).toMatchObject({ input: { fine: true }, erased: [] });
    expect(errors).toEqual([]);
  });

  it("reports an event that cannot be built at all, and keeps logging", async () => {
    const sink = memorySink();
    const errors: Error[] = [];
    const log = createDecisionLog(
      { sinks: [sink], onError: (error) => errors.push(error) },
      context,
    );
    const broken = { ...record(undefined), timestamp: new Date(Number.NaN) };
    log.log(broken, DENIED);
    log.log(record({ next: 1 }), DENIED);
    await log.flush(1_000);
    expect(errors.map((error) => error.name)).toEqual(["RangeError"]);
    expect(sink.lines.map((line) => JSON.parse(line).input)).toEqual([{ next: 1 }]);
  });
});

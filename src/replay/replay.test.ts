import { describe, expect, it } from "vitest";
import { type LoggedDecision, replay } from "./replay.js";

async function* logged(count: number): AsyncIterable<LoggedDecision> {
  for (let n = 0; n < count; n++) {
    yield {
      decision_id: `d${n}`,
      input: { attributes: { request: { http: { method: "GET", path: `/r/${n}` } } } },
      result: true,
    };
  }
}

describe("replay", () => {
  it("with evaluations answering out of order, tallies and lists changes in log order", async () => {
    // Every third decision flips to a deny; each evaluation takes a different time, so later
    // ones often finish first.
    const report = await replay(
      logged(100),
      async (input) => {
        const n = Number(
          (input.attributes as { request: { http: { path: string } } }).request.http.path.split(
            "/",
          )[2],
        );
        await new Promise((resolve) => setTimeout(resolve, (n * 7) % 5));
        return { defined: true, value: n % 3 !== 0 };
      },
      { examples: 5 },
    );
    expect(report).toMatchObject({ events: 100, replayed: 100, candidateErrors: 0 });
    expect(report.flips).toEqual({ allowToDeny: 34, denyToAllow: 0 });
    expect(report.examples.map((change) => change.decision_id)).toEqual([
      "d0",
      "d3",
      "d6",
      "d9",
      "d12",
    ]);
  });
});

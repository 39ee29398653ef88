import { describe, expect, it } from "vitest";
import { gcraStep, type Window } from "./gcra.js";
import { rateLimitHeaders, rateLimitPolicy } from "./headers.js";

const minute = (quota: number, burst = 1): Window => ({
  name: "minute",
  quota,
  windowMs: 60_000,
  capacity: Math.floor(quota * burst),
});
const hour = (quota: number): Window => ({
  name: "hour",
  quota,
  windowMs: 3_600_000,
  capacity: quota,
});

/** Sends `count` requests at `atMs` (ms after the first), carrying the TATs along. */
function run(windows: Window[], schedule: Array<[atMs: number, count: number]>) {
  let tats: (number | undefined)[] = [];
  const allowed: number[] = [];
  for (const [atMs, count] of schedule) {
    let n = 0;
    for (let i = 0; i < count; i++) {
      const step = gcraStep(windows, tats, atMs * 1000);
      if (step.tats) tats = step.tats;
      if (step.result.allowed) n++;
    }
    allowed.push(n);
  }
  return allowed;
}

describe("gcraStep", () => {
  it.each([
    ["a full bucket lets capacity through at once", [minute(60)], [[0, 100]], [60]],
    ["burst 1.5 lets 90 of 60/min through at once", [minute(60, 1.5)], [[0, 200]], [90]],
    [
      "then one per interval (1 s for 60/min)",
      [minute(60, 1.5)],
      [
        [0, 200],
        [1_000, 5],
        [1_500, 5],
        [3_000, 5],
      ],
      [90, 1, 0, 2],
    ],
    [
      "a refused request takes nothing",
      [minute(60)],
      [
        [0, 60],
        [500, 1000],
        [1_000, 5],
      ],
      [60, 0, 1],
    ],
    [
      "the hour binds when the minute does not (it refilled one per 36 s meanwhile)",
      [minute(60), hour(100)],
      [
        [0, 60],
        [60_000, 60],
      ],
      [60, 41],
    ],
    [
      "an idle key fills up again, never past capacity",
      [minute(60)],
      [
        [0, 60],
        [3_600_000, 100],
      ],
      [60, 60],
    ],
  ] as Array<[string, Window[], Array<[number, number]>, number[]]>)(
    "%s",
    (_, windows, schedule, expected) => {
      expect(run(windows, schedule)).toEqual(expected);
    },
  );

  it("reports the window closest to its limit, its remaining, and when to retry", () => {
    const windows = [minute(60), hour(61)];
    let tats: (number | undefined)[] = [];
    for (let i = 0; i < 59; i++) tats = gcraStep(windows, tats, 0).tats ?? tats;
    const last = gcraStep(windows, tats, 0);
    expect(last.result).toMatchObject({ allowed: true, remaining: 0, retryAfterUs: 0 });
    expect(last.result.window.name).toBe("minute");
    const refused = gcraStep(windows, last.tats ?? [], 0);
    expect(refused.tats).toBeUndefined();
    expect(refused.result).toMatchObject({ allowed: false, remaining: 0, retryAfterUs: 1_000_000 });
    // Bucket full again after 60 intervals of 1 s.
    expect(refused.result.resetUs).toBe(60_000_000);
  });
});

describe("rateLimitHeaders (draft-ietf-httpapi-ratelimit-headers)", () => {
  it("names every window in RateLimit-Policy and the binding one in RateLimit", () => {
    const windows = [minute(60, 1.5), hour(2000)];
    expect(
      rateLimitHeaders(
        rateLimitPolicy(windows),
        { window: minute(60, 1.5), remaining: 12, resetUs: 4_200_000 },
        0,
      ),
    ).toEqual({
      "ratelimit-policy": '"minute";q=60;w=60, "hour";q=2000;w=3600',
      ratelimit: '"minute";r=12;t=5',
    });
  });

  it("adds Retry-After to refusals", () => {
    const headers = rateLimitHeaders(
      rateLimitPolicy([minute(60)]),
      { window: minute(60), remaining: 0, resetUs: 1 },
      7,
    );
    expect(headers["retry-after"]).toBe("7");
  });
});

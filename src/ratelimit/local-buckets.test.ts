import { describe, expect, it } from "vitest";
import type { AbuseRule } from "./buckets.js";
import { createLocalBuckets } from "./local-buckets.js";

const minute = { name: "minute", quota: 10, windowMs: 60_000, capacity: 10 };
const rule: AbuseRule = {
  blockAfter: 3,
  strikeWindowMs: 60_000,
  firstBlockMs: 600_000,
  longestBlockMs: 1_500_000,
};

function setup(replicas = 1) {
  let now = 1_700_000_000_000;
  const buckets = createLocalBuckets(
    { clock: { now: () => new Date(now), nowNs: () => 0n } },
    { maxKeys: 100, replicas },
  );
  const take = (n: number, abuse?: AbuseRule) =>
    Promise.all(
      Array.from({ length: n }, () =>
        buckets.take({ key: "k", windows: [minute], ...(abuse ? { abuse } : {}) }),
      ),
    );
  return { buckets, take, advance: (ms: number) => (now += ms) };
}

describe("createLocalBuckets", () => {
  it("holds 1/replicas of each quota", async () => {
    const { take } = setup(4);
    const results = await take(10);
    expect(results.filter((r) => r.allowed)).toHaveLength(2);
  });

  it("blocks a key refused blockAfter times, then longer each time up to the longest block", async () => {
    const { take, advance } = setup();
    const first = await take(13, rule);
    expect(first.filter((r) => r.allowed)).toHaveLength(10);
    expect(first.map((r) => r.blockedMs)).toEqual([...Array(12).fill(0), 600_000]);
    advance(599_000);
    const still = await take(1, rule);
    expect(still[0]).toMatchObject({ allowed: false, blockedMs: 1_000, retryAfterUs: 1_000_000 });
    advance(1_000);
    // Unblocked with a full bucket; the next block doubles (20 min), the one after is capped (25 min).
    expect((await take(13, rule)).at(-1)?.blockedMs).toBe(1_200_000);
    advance(1_200_000);
    expect((await take(13, rule)).at(-1)?.blockedMs).toBe(1_500_000);
  });

  it("never blocks without an abuse rule", async () => {
    const { take } = setup();
    expect((await take(100)).every((r) => r.blockedMs === 0)).toBe(true);
  });
});

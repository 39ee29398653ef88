import { describe, expect, it } from "vitest";
import type { Evaluation } from "../policy/index.js";
import { createCacheKey, DEFAULT_IGNORED_PATHS } from "./cache-key.js";
import {
  createDecisionCache,
  type DecisionCacheOptions,
  type SharedDecisionStore,
} from "./decision-cache.js";

const read = (path: string, extra: Record<string, unknown> = {}) => ({
  attributes: {
    request: { http: { method: "GET", path, headers: { "x-request-id": String(Math.random()) } } },
  },
  ...extra,
});

function setup(overrides: Partial<DecisionCacheOptions> = {}, shared?: SharedDecisionStore) {
  const events = { hits: 0, shared: 0, misses: 0, evictions: 0 };
  let now = 1_000_000;
  const cache = createDecisionCache(
    {
      key: createCacheKey(DEFAULT_IGNORED_PATHS),
      clock: { now: () => new Date(now), nowNs: () => 0n },
      ...(shared ? { shared } : {}),
      events: {
        hit: (source) => (source === "local" ? events.hits++ : events.shared++),
        miss: () => events.misses++,
        evicted: () => events.evictions++,
      },
    },
    {
      ttlMs: 30_000,
      maxEntries: 100,
      maxBytes: 1_000_000,
      methods: ["GET", "HEAD", "OPTIONS"],
      ...overrides,
    },
  );
  let evaluations = 0;
  const evaluate =
    (value: unknown = true) =>
    async (): Promise<Evaluation> => {
      evaluations++;
      return { defined: true, value };
    };
  return {
    cache,
    events,
    evaluate,
    evaluations: () => evaluations,
    advance: (ms: number) => (now += ms),
  };
}

const request = { method: "GET", policyId: "r1" };

describe("createDecisionCache", () => {
  it("serves a repeated read from the cache, ignoring request ids", async () => {
    const { cache, evaluate, evaluations } = setup();
    expect((await cache.decide(read("/a"), request, evaluate())).cache).toBe("miss");
    expect(await cache.decide(read("/a"), request, evaluate())).toEqual({
      evaluation: { defined: true, value: true },
      cache: "hit",
    });
    expect((await cache.decide(read("/b"), request, evaluate())).cache).toBe("miss");
    expect(evaluations()).toBe(2);
  });

  it("bypasses methods that are not read-only", async () => {
    const { cache, evaluate, evaluations } = setup();
    await cache.decide(read("/a"), { ...request, method: "POST" }, evaluate());
    expect((await cache.decide(read("/a"), { ...request, method: "POST" }, evaluate())).cache).toBe(
      "bypass",
    );
    expect(evaluations()).toBe(2);
  });

  it("keys on everything else the policy reads: identity, and the policy revision", async () => {
    const { cache, evaluate, evaluations } = setup();
    await cache.decide(read("/a", { identity: { subject: "alice" } }), request, evaluate());
    await cache.decide(read("/a", { identity: { subject: "bob" } }), request, evaluate());
    await cache.decide(
      read("/a", { identity: { subject: "alice" } }),
      { ...request, policyId: "r2" },
      evaluate(),
    );
    expect(evaluations()).toBe(3);
  });

  it("expires entries after the TTL and never outlives the credential", async () => {
    const { cache, evaluate, evaluations, advance } = setup();
    await cache.decide(read("/a"), request, evaluate());
    advance(31_000);
    await cache.decide(read("/a"), request, evaluate());
    expect(evaluations()).toBe(2);
    const expiring = { ...request, credentialExpiresAtMs: 1_000_000 + 31_000 + 5 };
    await cache.decide(read("/c"), expiring, evaluate());
    advance(10);
    await cache.decide(read("/c"), expiring, evaluate());
    expect(evaluations()).toBe(4);
  });

  it("caches denies but never undefined results or evaluation errors", async () => {
    const { cache, evaluate, evaluations } = setup();
    await cache.decide(read("/deny"), request, evaluate(false));
    expect((await cache.decide(read("/deny"), request, evaluate(false))).cache).toBe("hit");
    const undefinedResult = async () => ({ defined: false }) as Evaluation;
    await cache.decide(read("/u"), request, undefinedResult);
    expect((await cache.decide(read("/u"), request, evaluate())).cache).toBe("miss");
    const failing = () => {
      throw new Error("trap");
    };
    await expect(cache.decide(read("/e"), request, failing)).rejects.toThrow("trap");
    expect((await cache.decide(read("/e"), request, evaluate())).cache).toBe("miss");
    expect(evaluations()).toBe(3);
  });

  it("evaluates concurrent identical misses once (single flight)", async () => {
    let release: () => void = () => {};
    const slowShared: SharedDecisionStore = {
      get: () => new Promise((resolve) => (release = () => resolve(undefined))),
      set: () => {},
    };
    const { cache, evaluate, evaluations } = setup({}, slowShared);
    const all = Array.from({ length: 10 }, () => cache.decide(read("/a"), request, evaluate()));
    await new Promise((resolve) => setImmediate(resolve));
    release();
    const results = await Promise.all(all);
    expect(evaluations()).toBe(1);
    expect(results.filter((r) => r.cache === "miss")).toHaveLength(1);
    expect(results.filter((r) => r.cache === "hit")).toHaveLength(9);
  });

  it("uses the shared store before evaluating, and fills it after", async () => {
    const stored = new Map<string, { result: unknown }>();
    const shared: SharedDecisionStore = {
      get: async (k) => stored.get(k),
      set: (k, v) => stored.set(k, v),
    };
    const a = setup({}, shared);
    await a.cache.decide(read("/a"), request, a.evaluate({ allowed: true }));
    const b = setup({}, shared);
    expect(await b.cache.decide(read("/a"), request, b.evaluate())).toEqual({
      evaluation: { defined: true, value: { allowed: true } },
      cache: "hit",
    });
    expect(b.evaluations()).toBe(0);
    expect(b.events.shared).toBe(1);
  });

  it("is bounded by entries, evicting least recently used", async () => {
    const { cache, evaluate, events } = setup({ maxEntries: 2 });
    for (const path of ["/1", "/2", "/3"]) await cache.decide(read(path), request, evaluate());
    expect(cache.size()).toBe(2);
    expect(events.evictions).toBe(1);
    cache.clear();
    expect(cache.size()).toBe(0);
  });

  it("is bounded by memory", async () => {
    const { cache, evaluate } = setup({ maxBytes: 100 });
    for (let i = 0; i < 10; i++)
      await cache.decide(read(`/${i}`), request, evaluate({ pad: "x".repeat(30) }));
    expect(cache.size()).toBeLessThanOrEqual(2);
  });
});

import { describe, expect, it } from "vitest";
import { createRedisDecisionStore, type RedisCommands, type RedisFailure } from "./redis-store.js";

function store(redis: Partial<RedisCommands>) {
  const failures: RedisFailure[] = [];
  const commands = { get: async () => null, set: async () => "OK", ...redis } as RedisCommands;
  return {
    store: createRedisDecisionStore(
      { redis: commands, onFailure: (f) => failures.push(f) },
      { prefix: "p:", budgetMs: 20 },
    ),
    failures,
  };
}

describe("createRedisDecisionStore", () => {
  it("reads and writes JSON under the prefix", async () => {
    const written: unknown[] = [];
    const { store: s } = store({
      get: async (key) => (key === "p:decision:k" ? '{"result":{"allowed":true}}' : null),
      set: async (...args) => written.push(args),
    });
    expect(await s.get("k")).toEqual({ result: { allowed: true } });
    expect(await s.get("other")).toBeUndefined();
    s.set("k", { result: false }, 1500.7);
    expect(written).toEqual([["p:decision:k", '{"result":false}', "PX", 1500]]);
  });

  const never = (): Promise<string | null> => new Promise(() => {});
  const refuse = (): Promise<string | null> => Promise.reject(new Error("ECONNREFUSED"));
  const answer = (text: string) => (): Promise<string | null> => Promise.resolve(text);
  it.each([
    ["slow", never, "timeout"],
    ["failing", refuse, "error"],
    ["answering garbage", answer("\u0000\u0001garbage"), "garbage"],
    ["answering foreign JSON", answer('{"allowed":true}'), "garbage"],
  ] as const)("a %s Redis is a miss, counted", async (_, get, failure) => {
    const { store: s, failures } = store({ get });
    expect(await s.get("k")).toBeUndefined();
    expect(failures).toEqual([failure]);
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { systemClock } from "../clock.js";
import { followRedisRevocations } from "./redis-revocations.js";
import { createRevocationList, type Revocation } from "./revocation-list.js";

/** A revocation hash in memory, and a subscriber that never delivers (a moved subscription). */
function fakeRedis() {
  const hash = new Map<string, string>();
  const redis = {
    hgetall: vi.fn(async () => Object.fromEntries(hash)),
    hset: async (_key: string, field: string, value: string) => hash.set(field, value),
    hdel: async (_key: string, ...fields: string[]) => fields.filter((f) => hash.delete(f)).length,
    publish: async () => 0,
  };
  const subscriber = { subscribe: async () => 1, on: () => subscriber };
  const add = (r: Revocation) => hash.set(`${r.kind}:${r.value}`, JSON.stringify(r));
  return { redis, subscriber, add };
}

const identity = (subject: string) => ({ authenticated: true, subject, methods: ["jwt"] });
const inAnHour = () => Date.now() + 3_600_000;

afterEach(() => {
  vi.useRealTimers();
});

describe("followRedisRevocations", () => {
  it("resyncs every resyncIntervalMs: a revocation whose message was missed still applies", async () => {
    vi.useFakeTimers();
    const { redis, subscriber, add } = fakeRedis();
    const onChange = vi.fn();
    const list = createRevocationList({ clock: systemClock, onChange });
    const followed = await followRedisRevocations(
      { list, redis, subscriber, clock: systemClock, onError: () => {} },
      { prefix: "p:", startTimeoutMs: 1_000, resyncIntervalMs: 5_000 },
    );
    expect(redis.hgetall).toHaveBeenCalledWith("p:revocations");
    const changesAtStart = onChange.mock.calls.length;
    // The same list again drops nothing: the decision cache is kept.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(onChange).toHaveBeenCalledTimes(changesAtStart);
    add({ kind: "subject", value: "mallory", untilMs: inAnHour() });
    expect(list.revoked(identity("mallory"))).toBeUndefined();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(list.revoked(identity("mallory"))).toBe("subject mallory");
    expect(onChange).toHaveBeenCalledTimes(changesAtStart + 1);
    followed.close();
    add({ kind: "subject", value: "oscar", untilMs: inAnHour() });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(list.revoked(identity("oscar"))).toBeUndefined();
  });

  it("without resyncIntervalMs reads Redis only at the start and on reconnects", async () => {
    vi.useFakeTimers();
    const { redis, subscriber } = fakeRedis();
    const list = createRevocationList({ clock: systemClock, onChange: () => {} });
    await followRedisRevocations(
      { list, redis, subscriber, clock: systemClock, onError: () => {} },
      { prefix: "p:", startTimeoutMs: 1_000 },
    );
    await vi.advanceTimersByTimeAsync(60_000);
    expect(redis.hgetall).toHaveBeenCalledTimes(1);
  });

  it("does not hold up the start on an answer that never comes: startTimeoutMs, then on", async () => {
    // setImmediate stays real: the deadline hands over to it so that an answer already read in
    // the same turn of the event loop wins (budget.ts), and that turn comes by itself.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    const { redis, subscriber } = fakeRedis();
    redis.hgetall.mockImplementationOnce(() => new Promise(() => {}));
    const onError = vi.fn();
    const list = createRevocationList({ clock: systemClock, onChange: () => {} });
    const started = followRedisRevocations(
      { list, redis, subscriber, clock: systemClock, onError },
      { prefix: "p:", startTimeoutMs: 1_000 },
    );
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(started).resolves.toHaveProperty("close");
    expect(onError).toHaveBeenCalledWith(new Error("revocations not loaded within 1000 ms"));
  });
});

import { describe, expect, it } from "vitest";
import { createVerifiedCache } from "./verified-cache.js";

describe("createVerifiedCache", () => {
  const now = Date.now();
  const clock = { now: () => new Date(now), nowNs: () => 0n };
  it("returns a value only for the same key set", () => {
    const cache = createVerifiedCache<{ sub: string }>({ clock }, { max: 10, maxAgeMs: 60_000 });
    const keys = {};
    cache.set("token", keys, { sub: "a" }, now + 10_000);
    expect(cache.get("token", () => keys)).toEqual({ sub: "a" });
    expect(cache.get("token", () => ({}))).toBeUndefined();
    expect(cache.get("token", () => undefined)).toBeUndefined();
    expect(cache.get("other", () => keys)).toBeUndefined();
  });

  it("never keeps an expired credential", () => {
    const cache = createVerifiedCache<{ sub: string }>({ clock }, { max: 10, maxAgeMs: 60_000 });
    const keys = {};
    cache.set("token", keys, { sub: "a" }, now - 1);
    expect(cache.get("token", () => keys)).toBeUndefined();
  });

  it("can be disabled", () => {
    const cache = createVerifiedCache<{ sub: string }>({ clock }, { max: 0, maxAgeMs: 60_000 });
    const keys = {};
    cache.set("token", keys, { sub: "a" }, now + 10_000);
    expect(cache.get("token", () => keys)).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import type { Identity } from "../authz/types.js";
import { peerList } from "../identity/index.js";
import type { BucketStore } from "./buckets.js";
import {
  clientAddress,
  createRateLimiter,
  pointerTokens,
  type RateLimiterOptions,
  tenantOf,
} from "./limiter.js";
import { createLocalBuckets } from "./local-buckets.js";
import { BucketStoreError } from "./redis-buckets.js";

const minute = (quota: number) => ({ name: "minute", quota, windowMs: 60_000, capacity: quota });
const OPTIONS: RateLimiterOptions = {
  tiers: { standard: [minute(3)], enhanced: [minute(5)] },
  tenants: { acme: "enhanced" },
  defaultTier: "standard",
  tenantFrom: ["/jwt/claims/tenant", "/spiffe/id"],
  address: {
    windows: [minute(2)],
    abuse: { blockAfter: 0, strikeWindowMs: 0, firstBlockMs: 0, longestBlockMs: 0 },
  },
  trustedProxies: [],
  keyPrefix: "p:",
  failMode: "local",
  retryIntervalMs: 1_000,
};
const alice: Identity = {
  authenticated: true,
  methods: ["jwt"],
  subject: "alice",
  jwt: { claims: { tenant: "acme" } },
};

function setup(options: Partial<RateLimiterOptions> = {}, shared?: BucketStore) {
  let now = 1_700_000_000_000;
  const clock = { now: () => new Date(now), nowNs: () => 0n };
  const failures: string[] = [];
  const limiter = createRateLimiter(
    {
      ...(shared ? { shared } : {}),
      local: createLocalBuckets({ clock }, { maxKeys: 10, replicas: 1 }),
      clock,
      onFailure: (failure) => failures.push(failure),
    },
    { ...OPTIONS, ...options },
  );
  const outcomes = async (n: number, identity = alice) => {
    const seen: string[] = [];
    for (let i = 0; i < n; i++) seen.push((await limiter.admitTenant(identity))?.outcome ?? "none");
    return seen;
  };
  return { limiter, failures, outcomes, advance: (ms: number) => (now += ms) };
}

const failing = (failure: "timeout" | "error"): BucketStore & { calls: number } => ({
  calls: 0,
  async take() {
    this.calls++;
    throw new BucketStoreError(failure, "down");
  },
});

describe("createRateLimiter", () => {
  it("limits a tenant by its tier, and other tenants by the default tier", async () => {
    const { outcomes } = setup();
    expect(await outcomes(6)).toEqual([...Array(5).fill("allowed"), "limited"]);
    const bob = { ...alice, subject: "bob", jwt: { claims: { tenant: "globex" } } };
    expect(await outcomes(4, bob)).toEqual(["allowed", "allowed", "allowed", "limited"]);
  });

  it("does not count anonymous callers against a tenant", async () => {
    const { limiter } = setup();
    expect(await limiter.admitTenant({ authenticated: false, methods: [] })).toBeUndefined();
  });

  it("refuses with Retry-After and names key, tier and remaining", async () => {
    const { outcomes, limiter } = setup();
    await outcomes(5);
    const refused = await limiter.admitTenant(alice);
    expect(refused).toMatchObject({
      key: "tenant:acme",
      tier: "enhanced",
      outcome: "limited",
      remaining: 0,
      source: "local",
      retryAfterSeconds: 12,
    });
    expect(refused?.headers["retry-after"]).toBe("12");
  });

  it.each([
    ["local", ["allowed", "allowed", "allowed", "allowed", "allowed", "limited"], "local"],
    ["deny", Array(6).fill("unavailable"), "none"],
    ["allow", Array(6).fill("allowed"), "none"],
  ] as const)("Redis down, failMode %s", async (failMode, expected, source) => {
    const shared = failing("timeout");
    const { outcomes, limiter, failures } = setup({ failMode }, shared);
    expect(await outcomes(6)).toEqual(expected);
    expect((await limiter.admitTenant(alice))?.source).toBe(source);
    // Asked once, then left alone for retryIntervalMs: one budget per interval, not per check.
    expect(shared.calls).toBe(1);
    expect(failures).toEqual(["timeout"]);
  });

  it("asks Redis again after the retry interval", async () => {
    const shared = failing("error");
    const { limiter, advance } = setup({}, shared);
    await limiter.admitTenant(alice);
    advance(999);
    await limiter.admitTenant(alice);
    advance(1);
    await limiter.admitTenant(alice);
    expect(shared.calls).toBe(2);
  });

  it("counts every request of a client address", async () => {
    const { limiter } = setup();
    const doc = {
      attributes: { source: { address: { socketAddress: { address: "203.0.113.7" } } } },
    };
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push((await limiter.admitAddress(doc))?.outcome);
    expect(seen).toEqual(["allowed", "allowed", "limited"]);
    expect(await limiter.admitAddress({})).toBeUndefined();
  });
});

describe("tenantOf", () => {
  it.each([
    ["a JWT claim", alice, "acme"],
    [
      "the SPIFFE ID when there is no claim",
      { authenticated: true, methods: ["x509-svid"], spiffe: { id: "spiffe://d/w" } },
      "spiffe://d/w",
    ],
    ["not a non-empty string", { ...alice, jwt: { claims: { tenant: 7 } } }, undefined],
    ["nothing", { authenticated: true, methods: [] }, undefined],
  ] as Array<[string, Identity, string | undefined]>)("%s", (_, identity, expected) => {
    expect(tenantOf(identity, OPTIONS.tenantFrom.map(pointerTokens))).toBe(expected);
  });
});

describe("clientAddress", () => {
  const doc = (peer: string, forwarded?: string) => ({
    attributes: {
      source: { address: { socketAddress: { address: peer } } },
      request: { http: { headers: forwarded ? { "x-forwarded-for": forwarded } : {} } },
    },
  });
  const proxies = peerList(["10.0.0.0/8"]);
  it.each([
    ["the peer, without trusted proxies", doc("203.0.113.7", "1.1.1.1"), undefined, "203.0.113.7"],
    [
      "the peer, when it is not a trusted proxy",
      doc("203.0.113.7", "1.1.1.1"),
      proxies,
      "203.0.113.7",
    ],
    [
      "the rightmost untrusted hop behind a trusted proxy",
      doc("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.9"),
      proxies,
      "198.51.100.1",
    ],
    ["the peer when the header is garbage", doc("10.0.0.2", "nonsense"), proxies, "10.0.0.2"],
    ["nothing when the peer is not an address", doc("pipe"), undefined, undefined],
  ] as const)("%s", (_, document, list, expected) => {
    expect(clientAddress(document, list)).toBe(expected);
  });
});

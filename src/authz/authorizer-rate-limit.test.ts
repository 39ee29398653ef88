import { describe, expect, it } from "vitest";
import { createLocalBuckets, createRateLimiter } from "../ratelimit/index.js";
import { createAuthorizer } from "./authorizer.js";
import type { AuthzSteps, CheckOutcome, DecisionRecord, Identity } from "./types.js";

const clock = { now: () => new Date("2026-11-21T00:00:00Z"), nowNs: () => 1_000n };
const minute = (quota: number) => ({ name: "minute", quota, windowMs: 60_000, capacity: quota });
const tenant: Identity = {
  authenticated: true,
  methods: ["jwt"],
  subject: "a",
  jwt: { claims: { tenant: "acme" } },
};

/** An authorizer whose policy allows `/ok` only, with tenants at 2/min and addresses at 4/min. */
function authorizer(identity: Identity = tenant) {
  const records: DecisionRecord[] = [];
  const rateLimit = createRateLimiter(
    { local: createLocalBuckets({ clock }, { maxKeys: 10, replicas: 1 }), clock, onFailure() {} },
    {
      tiers: { standard: [minute(2)] },
      tenants: {},
      defaultTier: "standard",
      tenantFrom: ["/jwt/claims/tenant"],
      address: {
        windows: [minute(4)],
        abuse: {
          blockAfter: 2,
          strikeWindowMs: 60_000,
          firstBlockMs: 600_000,
          longestBlockMs: 3_600_000,
        },
      },
      trustedProxies: [],
      keyPrefix: "",
      failMode: "local",
      retryIntervalMs: 1_000,
    },
  );
  const steps: AuthzSteps<string> = {
    input: {
      build: async (path) => ({
        document: {
          path,
          attributes: { source: { address: { socketAddress: { address: "192.0.2.1" } } } },
        },
        credentials: {},
      }),
    },
    identity: { verify: async () => ({ identity, suspicious: [], expiresAtMs: undefined }) },
    policies: {
      current: () => ({
        revision: "r1",
        id: "p1",
        evaluate: async (json) => ({ defined: true, value: JSON.parse(json).path === "/ok" }),
      }),
    },
    rateLimit,
    decisions: { record: (record) => records.push(record) },
    clock,
  };
  return { authz: createAuthorizer(steps, { dryRun: false }), records };
}

/** `ok`, `denied` (the policy's plain deny), or the HTTP status and body of a denied response. */
function answer({ response }: CheckOutcome): string {
  const denied = response.deniedResponse;
  if (denied) return `${denied.status.code} ${denied.body}`;
  return response.status.code === 0 ? "ok" : "denied";
}

describe("createAuthorizer with rate limits", () => {
  it("counts allowed requests against the tenant: 429 with Retry-After and the IETF headers", async () => {
    const { authz, records } = authorizer();
    const first = await authz.check("/ok");
    expect(first.response.okResponse?.responseHeadersToAdd).toEqual([
      { header: { key: "ratelimit-policy", value: '"minute";q=2;w=60' } },
      { header: { key: "ratelimit", value: '"minute";r=1;t=30' } },
    ]);
    await authz.check("/ok");
    const third = await authz.check("/ok");
    expect(third.allowed).toBe(false);
    expect(third.response.status).toEqual({ code: 7, message: "rate_limited" });
    expect(third.response.deniedResponse).toEqual({
      status: { code: 429 },
      body: "rate_limited",
      headers: [
        { header: { key: "ratelimit-policy", value: '"minute";q=2;w=60' } },
        { header: { key: "ratelimit", value: '"minute";r=0;t=60' } },
        { header: { key: "retry-after", value: "30" } },
      ],
    });
    expect(records[2]?.rateLimits?.map((v) => [v.key, v.tier, v.outcome, v.remaining])).toEqual([
      ["address:192.0.2.1", "address", "allowed", 1],
      ["tenant:acme", "standard", "limited", 0],
    ]);
  });

  it("does not count policy denials against the tenant, but against the address, then blocks it", async () => {
    const { authz, records } = authorizer();
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push(answer(await authz.check("/no")));
    expect(answers).toEqual([
      ...Array(4).fill("denied"),
      "429 rate_limited",
      "429 address_blocked",
      "429 address_blocked",
    ]);
    expect(records.every((r) => r.rateLimits?.every((v) => v.scope === "address"))).toBe(true);
    expect(records[5]?.rateLimits?.[0]?.blockedUntil).toBe("2026-11-21T00:10:00.000Z");
    // A blocked address is refused before the policy runs.
    expect(records[6]?.result).toBeUndefined();
  });
});

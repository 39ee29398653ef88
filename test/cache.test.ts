/**
 * The decision cache with a real Redis: replicas share decisions, revocation reaches every
 * sidecar within a second and survives restarts, and Redis faults (paused, killed, restarted,
 * answering garbage, never answering) never fail a check.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type CallResult, checkClient } from "./support/client.js";
import { es256Issuer, jwksFile, type SigningKey, sign, signingKey } from "./support/idp.js";
import { metric as metricSum } from "./support/metrics.js";
import { built, ROOT } from "./support/paths.js";
import { run, type Sidecar, startSidecar } from "./support/processes.js";
import { startFakeRedis, startRedis, type TestRedis } from "./support/redis.js";

const ISSUER = "https://idp.cache.test/";
let key: SigningKey;
let jwks: string;
let redis: TestRedis;
const sidecars: Sidecar[] = [];

function configFor(redisUrl: string | undefined, extra: Record<string, unknown> = {}) {
  return {
    policy: { bundle: built("build/policy/bundle.tar.gz") },
    identity: {
      jwt: { issuers: [es256Issuer(ISSUER, jwks)] },
      ...extra,
    },
    ...(redisUrl
      ? { cache: { redis: { url: redisUrl, budget: "20ms", connectTimeout: "500ms" } } }
      : {}),
  };
}

async function sidecar(config: Record<string, unknown>): Promise<Sidecar> {
  const started = await startSidecar(config);
  sidecars.push(started);
  return started;
}

const token = (sub = "alice", extra: Record<string, unknown> = {}) =>
  sign(key, { iss: ISSUER, aud: "openclaw", sub, roles: ["viewer"], tenant: "acme", ...extra });

const read = (bearer: string, path = "/api/v1/tenants/acme/tickets/1") => ({
  attributes: {
    request: {
      http: {
        method: "GET",
        path,
        headers: { authorization: `Bearer ${bearer}`, "x-request-id": randomUUID() },
      },
    },
  },
});

async function checkOn(
  target: Sidecar,
  request: unknown,
): Promise<{ result: CallResult; cache?: string }> {
  const client = checkClient(target.grpc);
  const result = await client.check(request);
  client.close();
  if (!result.ok) return { result };
  const id = (result.response.dynamicMetadata as { decision_id: string }).decision_id;
  for (let i = 0; i < 50; i++) {
    const line = target.stdout.find((l) => l.includes(id));
    if (line) return { result, cache: JSON.parse(line).cache };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { result };
}

const allowed = (r: CallResult) =>
  r.ok && (r.response.status as { code?: number }).code === undefined;
const unauthorized = (r: CallResult) =>
  r.ok &&
  (r.response.deniedResponse as { status?: { code?: string } } | undefined)?.status?.code ===
    "Unauthorized";

const metric = (target: Sidecar, pattern: RegExp) => metricSum(target.admin, pattern);

async function within(ms: number, condition: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return condition();
}

beforeAll(async () => {
  key = await signingKey("cache-1", "ES256");
  jwks = await jwksFile(key);
  redis = await startRedis();
});

afterAll(async () => {
  await Promise.all(sidecars.map((s) => s.stop()));
  await redis?.stop();
});

describe("two sidecars, one Redis", () => {
  let a: Sidecar;
  let b: Sidecar;
  beforeAll(async () => {
    [a, b] = await Promise.all([sidecar(configFor(redis.url)), sidecar(configFor(redis.url))]);
  });

  it("share cached read decisions; writes are never cached", async () => {
    const bearer = await token("bob");
    const first = await checkOn(a as Sidecar, read(bearer, "/api/v1/tenants/acme/tickets/shared"));
    expect(allowed(first.result)).toBe(true);
    expect(first.cache).toBe("miss");
    expect(
      (await checkOn(a as Sidecar, read(bearer, "/api/v1/tenants/acme/tickets/shared"))).cache,
    ).toBe("hit");
    const other = await checkOn(b as Sidecar, read(bearer, "/api/v1/tenants/acme/tickets/shared"));
    expect(other.cache).toBe("hit");
    expect(await metric(b as Sidecar, /^openclaw_authz_cache_hits_total\{source="shared"\}/)).toBe(
      1,
    );
    const write = {
      attributes: {
        request: {
          http: {
            method: "PATCH",
            path: "/api/v1/tenants/acme/tickets/1",
            headers: { authorization: `Bearer ${bearer}` },
          },
        },
      },
    };
    expect((await checkOn(a as Sidecar, write)).cache).toBe("bypass");
  });

  it("revoke reaches every sidecar within a second and survives a restart", async () => {
    const bearer = await token("alice");
    for (const s of [a, b] as Sidecar[])
      expect(allowed((await checkOn(s, read(bearer))).result)).toBe(true);
    const dir = await mkdtemp(join(tmpdir(), "oc-revoke-"));
    const config = join(dir, "config.yaml");
    await writeFile(config, stringify(configFor(redis.url)));
    const revoked = await run(
      "node",
      [built("dist/main.js"), "revoke", "--config", config, "--subject", "alice", "--for", "1h"],
      { cwd: ROOT },
    );
    expect(JSON.parse(revoked.stdout).revoked).toMatchObject({ kind: "subject", value: "alice" });
    const started = Date.now();
    for (const s of [a, b] as Sidecar[]) {
      expect(
        await within(1000 - (Date.now() - started), async () =>
          unauthorized((await checkOn(s, read(bearer))).result),
        ),
      ).toBe(true);
    }
    expect(await metric(a as Sidecar, /^openclaw_authz_revocations_applied_total/)).toBeGreaterThan(
      0,
    );
    // Another subject is unaffected; a restarted sidecar loads the revocation at start.
    expect(allowed((await checkOn(a as Sidecar, read(await token("carol")))).result)).toBe(true);
    await (b as Sidecar).stop();
    b = await sidecar(configFor(redis.url));
    expect(unauthorized((await checkOn(b, read(bearer))).result)).toBe(true);
  });

  it("revokes a single token by jti", async () => {
    const jti = randomUUID();
    const bearer = await token("dave", { jti });
    const otherToken = await token("dave", { jti: randomUUID() });
    expect(allowed((await checkOn(a as Sidecar, read(bearer))).result)).toBe(true);
    const dir = await mkdtemp(join(tmpdir(), "oc-revoke-"));
    const config = join(dir, "config.yaml");
    await writeFile(config, stringify(configFor(redis.url)));
    await run("node", [built("dist/main.js"), "revoke", "--config", config, "--jti", jti], {
      cwd: ROOT,
    });
    expect(
      await within(1000, async () =>
        unauthorized((await checkOn(a as Sidecar, read(bearer))).result),
      ),
    ).toBe(true);
    expect(allowed((await checkOn(a as Sidecar, read(otherToken))).result)).toBe(true);
  });
});

describe("Redis faults never fail a check", () => {
  it("paused (SIGSTOP): checks are decided locally within the budget", async () => {
    const s = await sidecar(configFor(redis.url));
    const bearer = await token("erin");
    await redis.pause();
    try {
      for (let i = 0; i < 5; i++) {
        const started = Date.now();
        expect(
          allowed(
            (await checkOn(s, read(bearer, `/api/v1/tenants/acme/tickets/paused-${i}`))).result,
          ),
        ).toBe(true);
        expect(Date.now() - started).toBeLessThan(2_000); // a hang detector, not a benchmark
      }
      expect(
        await metric(
          s,
          /^openclaw_authz_redis_failures_total\{purpose="cache",failure="timeout"\}/,
        ),
      ).toBeGreaterThan(0);
    } finally {
      await redis.resume();
    }
  });

  it("killed, then restarted: checks go on, and the sidecars reconnect by themselves", async () => {
    const [x, y] = await Promise.all([
      sidecar(configFor(redis.url)),
      sidecar(configFor(redis.url)),
    ]);
    const bearer = await token("frank");
    await redis.kill();
    expect(
      allowed((await checkOn(x, read(bearer, "/api/v1/tenants/acme/tickets/killed"))).result),
    ).toBe(true);
    expect(await metric(x, /^openclaw_authz_redis_failures_total/)).toBeGreaterThan(0);
    await redis.restart();
    const path = "/api/v1/tenants/acme/tickets/after-restart";
    // Once x has reconnected, its decision reaches Redis and y finds it there.
    expect(
      await within(8_000, async () => {
        await checkOn(x, read(bearer, `${path}-${Date.now()}`));
        const probe = `${path}-probe`;
        await checkOn(x, read(bearer, probe));
        return (await checkOn(y, read(bearer, probe))).cache === "hit";
      }),
    ).toBe(true);
  });

  it.each(["garbage", "silent"] as const)(
    "a Redis that is %s: checks are answered, failures counted",
    async (mode) => {
      const fake = await startFakeRedis(mode);
      try {
        const s = await sidecar(configFor(fake.url));
        const bearer = await token("grace");
        for (let i = 0; i < 3; i++) {
          expect(
            allowed(
              (await checkOn(s, read(bearer, `/api/v1/tenants/acme/tickets/${mode}-${i}`))).result,
            ),
          ).toBe(true);
        }
        expect(await metric(s, /^openclaw_authz_redis_failures_total/)).toBeGreaterThan(0);
      } finally {
        await fake.stop();
      }
    },
  );
});

describe("revocation without Redis", () => {
  it("is a local file the sidecar watches", async () => {
    const dir = await mkdtemp(join(tmpdir(), "oc-revocation-file-"));
    const file = join(dir, "revocations.ndjson");
    const config = configFor(undefined, { revocationFile: file, fileRefreshInterval: "100ms" });
    const s = await sidecar(config);
    const bearer = await token("heidi");
    expect(allowed((await checkOn(s, read(bearer))).result)).toBe(true);
    const path = join(dir, "config.yaml");
    await writeFile(path, stringify(config));
    await run("node", [built("dist/main.js"), "revoke", "--config", path, "--subject", "heidi"], {
      cwd: ROOT,
    });
    expect(
      await within(1500, async () => unauthorized((await checkOn(s, read(bearer))).result)),
    ).toBe(true);
  });
});

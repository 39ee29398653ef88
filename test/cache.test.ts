/**
 * The decision cache with a real Redis: replicas share decisions, revocation reaches every
 * sidecar within a second and survives restarts, and Redis faults (paused, killed, restarted,
 * answering garbage, never answering) never fail a check. The sharing, the revocations and the
 * decision stream again on a real Redis Cluster (3 masters, 3 replicas), and through the failover
 * of a master killed under load: no false allow, every check answered, the fallbacks counted.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type CallResult, checkClient, statusOf, steadyChecks } from "./support/client.js";
import { es256Issuer, jwksFile, type SigningKey, sign, signingKey } from "./support/idp.js";
import { metric as metricSum } from "./support/metrics.js";
import { built, ROOT } from "./support/paths.js";
import { run, type Sidecar, startSidecar } from "./support/processes.js";
import { startFakeRedis, startRedis, type TestRedis } from "./support/redis.js";
import { startRedisCluster, type TestRedisCluster } from "./support/redis-cluster.js";
import { jsonLineWith, until } from "./support/wait.js";

const ISSUER = "https://idp.cache.test/";
let key: SigningKey;
let jwks: string;
let redis: TestRedis;
let cluster: TestRedisCluster;
const sidecars: Sidecar[] = [];

/** Where the shared state is: one Redis (`url`) or the Redis Cluster (`cluster`). */
type Target = { url: string } | TestRedisCluster["target"];
const oneRedis = (): Target => ({ url: redis.url });
const TARGETS = [
  ["one Redis", oneRedis],
  ["a Redis Cluster of 3 masters and 3 replicas", (): Target => cluster.target],
] as const;

function configFor(target: Target | undefined, extra: Record<string, unknown> = {}) {
  return {
    policy: { bundle: built("build/policy/bundle.tar.gz") },
    identity: {
      jwt: { issuers: [es256Issuer(ISSUER, jwks)] },
      ...extra,
    },
    // A Redis answer slower than the budget is a miss: 20 ms made "b finds a's decision" fail on
    // a loaded machine. A paused Redis still times out (and is counted) well within 2 s.
    ...(target
      ? { cache: { redis: { ...target, budget: "250ms", connectTimeout: "500ms" } } }
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
  const event = await jsonLineWith<{ cache: string }>(target.stdout, `"decision_id":"${id}"`);
  return { result, cache: event.cache };
}

const allowed = (r: CallResult) =>
  r.ok && (r.response.status as { code?: number }).code === undefined;
const unauthorized = (r: CallResult) =>
  r.ok &&
  (r.response.deniedResponse as { status?: { code?: string } } | undefined)?.status?.code ===
    "Unauthorized";

const metric = (target: Sidecar, pattern: RegExp) => metricSum(target.admin, pattern);

/**
 * Checks `request` on `target` every 10 ms until it is refused with 401 (an allow, or what
 * `pending` also accepts, means "not yet"; any other answer fails); resolves with the time that
 * refusal arrived (ms since epoch).
 */
async function refusedAt(
  target: Sidecar,
  request: unknown,
  pending: (r: CallResult) => boolean = allowed,
): Promise<number> {
  const client = checkClient(target.grpc);
  try {
    const refused = await until(
      async () => {
        const result = await client.check(request);
        if (!pending(result) && !unauthorized(result))
          throw new Error(`neither allowed nor refused: ${JSON.stringify(result)}`);
        return unauthorized(result);
      },
      10_000,
      10,
    );
    if (!refused) throw new Error(`${target.grpc} still allows after 10 s`);
    return Date.now();
  } finally {
    client.close();
  }
}

/** For each elapsed time (ms from a revoke to a refusal): after the revoke, and within 1 s. */
const withinASecond = (elapsed: number[]) => elapsed.map((ms) => ms >= 0 && ms < 1000);

/** Runs `openclaw-authz <args> --config FILE` with `config` in FILE; its stdout. */
async function cliWith(config: Record<string, unknown>, args: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "oc-cli-"));
  const file = join(dir, "config.yaml");
  await writeFile(file, stringify(config));
  const done = await run("node", [built("dist/main.js"), ...args, "--config", file], { cwd: ROOT });
  return done.stdout;
}

/** Runs `openclaw-authz revoke`; resolves with when it made the revocation (ms since epoch). */
async function revoke(target: Target | undefined, extra: Record<string, unknown>, args: string[]) {
  const stdout = await cliWith(configFor(target, extra), ["revoke", ...args, "--for", "1h"]);
  const { revoked: revocation } = JSON.parse(stdout);
  return { revocation, at: Date.parse(revocation.until) - 3_600_000 };
}

beforeAll(async () => {
  key = await signingKey("cache-1", "ES256");
  jwks = await jwksFile(key);
  [redis, cluster] = await Promise.all([startRedis(), startRedisCluster()]);
});

afterAll(async () => {
  await Promise.all(sidecars.map((s) => s.stop()));
  await Promise.all([redis?.stop(), cluster?.stop()]);
});

/** The decision log also in a Redis Stream on `target`. */
const streamedTo = (target: Target, stream: string) => ({
  decisionLog: { redisStream: { ...target, stream } },
});

describe.each(TARGETS)("two sidecars, %s", (_, target) => {
  let a: Sidecar;
  let b: Sidecar;
  const stream = `decisions-${randomUUID()}`;
  beforeAll(async () => {
    const config = { ...configFor(target()), ...streamedTo(target(), stream) };
    [a, b] = await Promise.all([sidecar(config), sidecar(config)]);
  });

  it("stream every decision to the Redis Stream, which logs tail reads", async () => {
    const ids: string[] = [];
    for (const s of [a, b] as Sidecar[]) {
      const client = checkClient(s.grpc);
      const path = `/api/v1/tenants/acme/tickets/${randomUUID()}`;
      const result = await client.check(read(await token("ivan"), path));
      client.close();
      if (result.ok)
        ids.push((result.response.dynamicMetadata as { decision_id: string }).decision_id);
    }
    expect(ids).toHaveLength(2);
    const tail = () => cliWith(streamedTo(target(), stream), ["logs", "tail", "--count", "100"]);
    const logged = async () => {
      const lines = (await tail()).split("\n").filter(Boolean);
      return lines.map((line) => (JSON.parse(line) as { decision_id: string }).decision_id);
    };
    const inStream = async () => {
      const all = await logged();
      return ids.every((id) => all.includes(id));
    };
    expect(await until(inStream, 10_000, 200)).toBe(true);
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
    // Each sidecar is probed from before the revoke; its own first 401 is timed from the moment
    // the revocation was made.
    const refusals = [a, b].map((s) => refusedAt(s as Sidecar, read(bearer)));
    const { revocation, at } = await revoke(target(), {}, ["--subject", "alice"]);
    expect(revocation).toMatchObject({ kind: "subject", value: "alice" });
    const elapsed = (await Promise.all(refusals)).map((refused) => refused - at);
    expect(
      withinASecond(elapsed),
      `ms from the revoke to each sidecar's first 401: ${elapsed}`,
    ).toEqual([true, true]);
    expect(await metric(a as Sidecar, /^openclaw_authz_revocations_applied_total/)).toBeGreaterThan(
      0,
    );
    // Another subject is unaffected; a restarted sidecar loads the revocation at start.
    expect(allowed((await checkOn(a as Sidecar, read(await token("carol")))).result)).toBe(true);
    await (b as Sidecar).stop();
    b = await sidecar(configFor(target()));
    expect(unauthorized((await checkOn(b, read(bearer))).result)).toBe(true);
  });

  it("revokes a single token by jti, within a second", async () => {
    const jti = randomUUID();
    const bearer = await token("dave", { jti });
    const otherToken = await token("dave", { jti: randomUUID() });
    expect(allowed((await checkOn(a as Sidecar, read(bearer))).result)).toBe(true);
    const refusal = refusedAt(a as Sidecar, read(bearer));
    const { at } = await revoke(target(), {}, ["--jti", jti]);
    const elapsed = (await refusal) - at;
    expect(withinASecond([elapsed]), `${elapsed} ms from the revoke to the first 401`).toEqual([
      true,
    ]);
    expect(allowed((await checkOn(a as Sidecar, read(otherToken))).result)).toBe(true);
  });
});

/** The first of `name(0)`, `name(1)`, … whose Redis key `keyOf(name)` is served by `master`. */
async function nameOn(master: string, name: (i: number) => string, keyOf = (n: string) => n) {
  for (let i = 0; ; i++) if ((await cluster.masterOf(keyOf(name(i)))) === master) return name(i);
}

/** The decision ids in the Redis Stream `stream` on the cluster (all of it, oldest first). */
async function streamed(stream: string): Promise<Set<string>> {
  const reader = new Cluster(cluster.target.cluster.nodes, {
    redisOptions: { password: cluster.target.cluster.password },
  });
  try {
    const entries = (await reader.xrange(stream, "-", "+")) as Array<[string, string[]]>;
    return new Set(entries.map(([, fields]) => JSON.parse(fields[1] as string).decision_id));
  } finally {
    reader.disconnect();
  }
}

describe("a Redis Cluster losing a master under load", () => {
  it("fails over a killed master: no false allow, every check answered, fallbacks counted; revocations and the stream go on", async () => {
    // The master that fails holds the revocations, the decision stream and the tenant's buckets.
    const revocations = "openclaw-authz:revocations";
    const victim = await cluster.masterOf(revocations);
    const stream = await nameOn(victim, (i) => `decisions-failover-${i}`);
    const tenant = await nameOn(
      victim,
      (i) => `failover-${i}`,
      (t) => `rl:{t:${t}}`,
    );
    const config = (failMode: string) => ({
      ...configFor(cluster.target),
      // The shipped budgets: 5 ms for a cache lookup and for a rate-limit take.
      cache: { redis: cluster.target },
      rateLimit: {
        enabled: true,
        failMode,
        perAddress: { enabled: false },
        tiers: { standard: { perMinute: 100_000, burst: 1 } },
      },
      ...streamedTo(cluster.target, stream),
    });
    const [local, deny] = await Promise.all([sidecar(config("local")), sidecar(config("deny"))]);
    // Subjects of this test alone (the tests above revoke alice on the cluster).
    const subjects = ["alice", "mallory", "oscar"].map((name) => `${name}-${randomUUID()}`);
    const [alice, mallory, oscar] = (await Promise.all(
      subjects.map((sub) => token(sub, { tenant })),
    )) as [string, string, string];
    // failMode deny answers 429 whenever Redis is slower than 5 ms: not yet refused, not allowed.
    const notYet = (r: CallResult) => allowed(r) || statusOf(r) === "TooManyRequests";
    await revoke(cluster.target, {}, ["--subject", subjects[1] as string]);
    const ownPath = `/api/v1/tenants/${tenant}/tickets/1`;
    for (const s of [local, deny]) await refusedAt(s, read(mallory, ownPath), notYet);
    // A new path each time: every check looks in the shared cache and writes to it.
    let n = 0;
    const own = (bearer: string) => () => read(bearer, `/api/v1/tenants/${tenant}/tickets/${n++}`);
    const loads = [local, deny].map((s) => ({
      allowed: steadyChecks(s.grpc, own(alice)),
      revoked: steadyChecks(s.grpc, own(mallory)),
      foreign: steadyChecks(s.grpc, () => read(alice, "/api/v1/tenants/other/tickets/1")),
      revokedLater: steadyChecks(s.grpc, own(oscar)),
    }));
    const all = loads.flatMap((load) => Object.values(load));
    /** Whether every load got `count` more answers (within 30 s: a hang detector). */
    const answered = (count: number) => {
      const from = all.map((l) => l.answers.length);
      return until(() => all.every((l, i) => l.answers.length >= (from[i] ?? 0) + count), 30_000);
    };
    expect(await answered(20)).toBe(true);

    const { killed, promoted } = await cluster.killMasterOf(revocations);
    expect(promoted).not.toBe(killed);
    const afterFailover = Date.now();
    const mark = local.stdout.length;
    // Back on Redis: the tenant's buckets are taken on the promoted master.
    const viaRedis = () =>
      local.stdout
        .slice(mark)
        .some((line) => line.includes('"decision_id"') && line.includes('"source":"redis"'));
    expect(await until(viaRedis, 15_000, 100)).toBe(true);
    expect(await answered(20)).toBe(true);
    // A revocation made after the failover reaches both sidecars (5 s: a hang detector).
    const refusals = [local, deny].map((s) => refusedAt(s, read(oscar, ownPath), notYet));
    const { at } = await revoke(cluster.target, {}, ["--subject", subjects[2] as string]);
    const elapsed = (await Promise.all(refusals)).map((refused) => refused - at);
    expect(
      elapsed.map((ms) => ms >= 0 && ms < 5_000),
      `ms to each 401: ${elapsed}`,
    ).toEqual([true, true]);
    expect(await answered(10)).toBe(true);
    await Promise.all(all.map((l) => l.stop()));

    for (const [i, load] of loads.entries()) {
      const answers = Object.values(load).flatMap((l) => l.answers);
      // Every check answered (no gRPC error), none held up by Redis: hang detector, not a benchmark.
      expect(answers.filter((a) => a.status.startsWith("grpc") || a.ms > 2_000)).toEqual([]);
      // No false allow: the revoked subject and the other tenant's path never pass.
      expect(load.revoked.answers.filter((a) => a.status === "OK")).toEqual([]);
      expect(load.foreign.answers.filter((a) => a.status === "OK")).toEqual([]);
      const refusedAt = at + (elapsed[i] as number);
      expect(
        load.revokedLater.answers.filter((a) => a.at > refusedAt && a.status === "OK"),
      ).toEqual([]);
    }
    const [onLocal, onDeny] = loads as [(typeof loads)[0], (typeof loads)[0]];
    // failMode local: the allowed caller stays allowed, decided by the local buckets meanwhile.
    expect(new Set(onLocal.allowed.answers.map((a) => a.status))).toEqual(new Set(["OK"]));
    expect(new Set(onLocal.revoked.answers.map((a) => a.status))).toEqual(
      new Set(["Unauthorized"]),
    );
    expect(new Set(onLocal.foreign.answers.map((a) => a.status))).toEqual(new Set(["Forbidden"]));
    // failMode deny: while its Redis is out, 429 rate_limit_unavailable, never a free pass.
    const refused = onDeny.allowed.answers.filter((a) => a.status !== "OK");
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused.map((a) => `${a.status} ${a.body}`))).toEqual(
      new Set(["TooManyRequests rate_limit_unavailable"]),
    );
    // Counted: Redis failures by purpose, and the checks the local buckets decided.
    expect(
      await metric(local, /^openclaw_authz_redis_failures_total\{purpose="ratelimit"/),
    ).toBeGreaterThan(0);
    expect(
      await metric(local, /^openclaw_authz_ratelimit_checks_total\{.*source="local"/),
    ).toBeGreaterThan(0);
    // The stream goes on, on the promoted master: every decision answered after the failover is in it.
    const later = all
      .flatMap((l) => l.answers)
      .filter((a) => a.at > afterFailover && a.decisionId)
      .map((a) => a.decisionId as string);
    const inStream = async () => {
      const ids = await streamed(stream);
      return later.every((id) => ids.has(id));
    };
    expect(await until(inStream, 15_000, 250)).toBe(true);
  });
});

describe("Redis faults never fail a check", () => {
  it("paused (SIGSTOP): checks are decided locally within the budget", async () => {
    const s = await sidecar(configFor(oneRedis()));
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
      sidecar(configFor(oneRedis())),
      sidecar(configFor(oneRedis())),
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
      await until(async () => {
        await checkOn(x, read(bearer, `${path}-${Date.now()}`));
        const probe = `${path}-probe`;
        await checkOn(x, read(bearer, probe));
        return (await checkOn(y, read(bearer, probe))).cache === "hit";
      }, 15_000),
    ).toBe(true);
  });

  it.each(["garbage", "silent"] as const)(
    "a Redis that is %s: checks are answered, failures counted",
    async (mode) => {
      const fake = await startFakeRedis(mode);
      try {
        const s = await sidecar(configFor({ url: fake.url }));
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
    const refusal = refusedAt(s, read(bearer));
    const { at } = await revoke(undefined, { revocationFile: file }, ["--subject", "heidi"]);
    // refusedAt throws unless a 401 comes within 10 s; none may come before the revoke.
    expect(await refusal).toBeGreaterThanOrEqual(at);
  });
});

import { describe, expect, it } from "vitest";
import { resolveConfig, substituteEnv } from "./load.js";

describe("resolveConfig", () => {
  it("resolves every default from nothing", () => {
    const config = resolveConfig(undefined);
    expect(config.listen).toEqual({ grpc: "127.0.0.1:9191", admin: "127.0.0.1:9292" });
    expect(config.policy).toMatchObject({
      decision: "envoy/authz/allow",
      dryRun: false,
      skipRequestBodyParse: false,
    });
    expect(config.cache.ttl).toBe(30_000);
    expect(config.server.shutdownGrace).toBe(10_000);
    expect(config.server).toMatchObject({
      receiveTimeout: 5_000,
      maxBufferedBytes: 32 * 1024 * 1024,
      maxConcurrentStreams: 100,
      maxSessionMemoryMiB: 64,
    });
    expect(config.decisionLog.secretNames).toEqual([]);
    expect(config.decisionLog.labels).toEqual({});
    // Tracing is off: no endpoint.
    expect(config.tracing).toEqual({ sampleRatio: 1, serviceName: "openclaw-authz" });
  });

  it("accepts Redis Cluster seed nodes where a Redis URL goes", () => {
    const cluster = { nodes: ["10.0.0.1:6379", "[::1]:7000"], password: "secret" };
    const config = resolveConfig({
      cache: { redis: { cluster } },
      decisionLog: { redisStream: { cluster: { ...cluster, tls: true } } },
    });
    expect(config.cache.redis).toMatchObject({ cluster: { ...cluster, tls: false }, budget: 5 });
    expect(config.cache.redis?.url).toBeUndefined();
    expect(config.decisionLog.redisStream?.cluster).toEqual({ ...cluster, tls: true });
  });

  it("accepts a unix socket and durations", () => {
    const config = resolveConfig({
      listen: { grpc: "unix:///run/authz.sock" },
      server: { shutdownGrace: "250ms" },
      cache: { ttl: "5m" },
    });
    expect(config.listen.grpc).toBe("unix:///run/authz.sock");
    expect(config.server.shutdownGrace).toBe(250);
    expect(config.cache.ttl).toBe(300_000);
  });

  it.each([
    [{ polcy: {} }, "polcy: "],
    [{ policy: { dryrun: true } }, "policy.dryrun: "],
    [{ policy: { dryRun: "yes" } }, "policy.dryRun: "],
    [{ listen: { grpc: "localhost" } }, "listen.grpc: "],
    [{ cache: { ttl: "30" } }, "cache.ttl: must be a duration"],
    [{ tracing: { endpoint: "collector:4318" } }, "tracing.endpoint: must be an http(s) URL"],
    [{ tracing: { endpoint: "http://c:4318/v1/traces", sampleRatio: 2 } }, "tracing.sampleRatio: "],
    [{ tracing: { enabled: true } }, "tracing.enabled: Unrecognized key"],
    [{ decisionLog: { labels: { id: "mine" } } }, "decisionLog.labels: id and version are set"],
    [{ cache: { redis: {} } }, "cache.redis: set exactly one of url and cluster"],
    [
      { cache: { redis: { url: "redis://r:6379", cluster: { nodes: ["r:6379"] } } } },
      "cache.redis: set exactly one of url and cluster",
    ],
    [{ cache: { redis: { cluster: { nodes: [] } } } }, "cache.redis.cluster.nodes: "],
    [
      { cache: { redis: { cluster: { nodes: ["redis://r:6379"] } } } },
      "cache.redis.cluster.nodes.0: must be host:port",
    ],
    [
      { cache: { redis: { url: "redis://r:6379", keyPrefix: "{app}:" } } },
      "cache.redis.keyPrefix: must not contain { or }",
    ],
    [
      { decisionLog: { redisStream: { cluster: { nodes: ["r:6379"], tls: "yes" } } } },
      "decisionLog.redisStream.cluster.tls: ",
    ],
    [
      { identity: { jwt: { issuers: [{ issuer: "x", jwks: { file: "k" } }] } } },
      "identity.jwt.issuers.0.audiences: ",
    ],
    [
      {
        identity: {
          jwt: {
            issuers: [
              { issuer: "x", audiences: ["a"], algorithms: ["HS256"], jwks: { file: "k" } },
            ],
          },
        },
      },
      "identity.jwt.issuers.0.algorithms.0: ",
    ],
    [
      { identity: { trustedProxy: { cidrs: ["10.0.0.0/8"], signer: "arn" } } },
      "identity.trustedProxy: set exactly one of keyUrl and keyFile",
    ],
    [{ identity: { spiffe: { trustDomains: { x: "" } } } }, "identity.spiffe.trustDomains.x: "],
    [{ server: { maxRequestBytes: 1 } }, "server.maxRequestBytes: "],
    [
      { server: { receiveTimeout: "50ms" } },
      "server.receiveTimeout: must be between 100ms and 10m",
    ],
    [
      { server: { maxRequestBytes: 4 * 2 ** 20, maxBufferedBytes: 2 * 2 ** 20 } },
      "server.maxBufferedBytes: must be at least server.maxRequestBytes",
    ],
    [{ server: { maxConcurrentStreams: 0 } }, "server.maxConcurrentStreams: "],
    [
      { decisionLog: { secretNames: ["x-key", "a*b"] } },
      "decisionLog.secretNames.1: must be a name",
    ],
    [{ decisionLog: { secretNames: ["*"] } }, "decisionLog.secretNames.0: must be a name"],
    [[1], "(root): "],
  ])("rejects %j naming the key path", (document, message) => {
    expect(() => resolveConfig(document)).toThrow(message);
  });
});

describe("substituteEnv", () => {
  const env = { A: "x", EMPTY: "", "A B": "spaced" };
  it.each([
    [`url: \${A}`, "url: x"],
    [`a-\${A}-\${A}-b`, "a-x-x-b"],
    [`\${UNSET}`, ""],
    [`\${EMPTY}`, ""],
    [`\${}`, ""],
    [`\${A B}`, "spaced"],
    [`\${A}}`, "x}"],
    [`\${A`, `\${A`],
    [`\${A\n}`, `\${A\n}`],
    ["$A and $$A", "$A and $$A"],
  ])("%j → %j", (text, expected) => {
    expect(substituteEnv(text, env)).toBe(expected);
  });
});

import { z } from "zod";
import { DEFAULT_IGNORED_PATHS } from "../cache/index.js";
import { isNamePattern } from "../decision-log/index.js";

const DURATION = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** A duration string (`250ms`, `30s`, `5m`, `1h`) resolved to milliseconds. */
export const duration = z
  .string()
  .regex(DURATION, "must be a duration such as 250ms, 30s, 5m or 1h")
  .transform((text) => {
    const [, amount, unit] = DURATION.exec(text) as unknown as [
      string,
      string,
      keyof typeof UNIT_MS,
    ];
    return Number(amount) * UNIT_MS[unit];
  });

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "must be host:port");
const grpcAddress = z.union([
  hostPort,
  z.string().regex(/^unix:\/\/\/.+/, "must be host:port or unix:///path"),
]);

/** Asymmetric JWS algorithms (RFC 7518); `none` and HMAC never appear in a config. */
const SIGNATURE_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
] as const;

const pointer = z
  .string()
  .regex(
    /^(\/[^/]*)+$/,
    "must be a JSON pointer such as /input/attributes/request/http/headers/x-api-key",
  );
const secretName = z
  .string()
  .refine(
    isNamePattern,
    "must be a name such as x-tenant-key, with an optional * at either end (x-corp-*, *pin)",
  );
const redisUrl = z.string().regex(/^rediss?:\/\/.+/, "must be a redis:// or rediss:// URL");

/** Redis Cluster: seed nodes (the rest are discovered) and what every node is opened with. */
const redisCluster = z
  .object({
    /** Seed nodes, `host:port`; ioredis discovers the others (`CLUSTER SLOTS`). */
    nodes: z.array(hostPort).min(1),
    /** ACL user of every node. Default none (the `default` user). */
    username: z.string().min(1).optional(),
    /** Password of every node (`requirepass`, or the ACL user's); `${VAR}` keeps it out of the file. */
    password: z.string().min(1).optional(),
    /** TLS to every node, as `rediss://` (addresses as announced; no DNS lookup). Default false. */
    tls: z.boolean().default(false),
  })
  .strict();

/** A Redis connection: exactly one of `url` (one server) and `cluster` (Redis Cluster). */
const redisTarget = {
  /** One server: `redis://[:password@]host:port[/db]` or `rediss://…`. */
  url: redisUrl.optional(),
  cluster: redisCluster.optional(),
};
const oneRedisTarget = [
  (target: { url?: string | undefined; cluster?: unknown }) =>
    (target.url === undefined) !== (target.cluster === undefined),
  { message: "set exactly one of url and cluster" },
] as const;
const httpUrl = z.string().regex(/^https?:\/\/[^\s]+$/, "must be an http(s) URL");

/** A path pattern such as `/mcp/**`: `*` a whole segment, `**` only as the last one. */
const mcpPath = z
  .string()
  .regex(
    /^(\/(\*|[^/*]+))*(\/\*\*)?$/,
    "must be a path pattern such as /mcp/** (* one segment, ** only at the end)",
  )
  .refine((path) => path !== "", "must be a path pattern such as /mcp/**");

/** Where an issuer's keys come from: exactly one of a JWKS file, a JWKS URL, OIDC discovery. */
const jwksSource = z.union([
  z.object({ file: z.string().min(1) }).strict(),
  z.object({ url: httpUrl }).strict(),
  z.object({ discovery: httpUrl }).strict(),
]);

const issuer = z
  .object({
    /** Exact `iss` value. */
    issuer: z.string().min(1),
    /** Accepted `aud` values (at least one). */
    audiences: z.array(z.string().min(1)).min(1),
    /** Allowed algorithms; `none` and HMAC are never accepted. */
    algorithms: z.array(z.enum([...SIGNATURE_ALGORITHMS, "EdDSA"])).min(1),
    /** Required `typ` header, e.g. `at+jwt`. */
    typ: z.string().min(1).optional(),
    jwks: jwksSource,
    /** Background refresh of URL keys. Default `5m`. */
    refreshInterval: duration.default(300_000),
    /** Timeout of one key fetch. Default `2s`. */
    fetchTimeout: duration.default(2_000),
    /** Least time between refetches triggered by an unknown `kid`. Default `30s`. */
    unknownKidCooldown: duration.default(30_000),
  })
  .strict();

const identitySchema = z
  .object({
    /** Clock skew allowed on `exp`/`nbf`/`iat` and certificate validity. Default `30s`. */
    clockTolerance: duration.default(30_000),
    /** Verified tokens and certificates remembered (until expiry or key change). 0 disables. Default 10000. */
    verifiedCacheSize: z.number().int().min(0).max(1_000_000).default(10_000),
    /** Without Redis: revocations are lines of JSON in this file (`openclaw-authz revoke` appends). */
    revocationFile: z.string().min(1).optional(),
    /** How often watched files (trust bundles, JWKS files) are checked for changes. Default `5s`. */
    fileRefreshInterval: duration.default(5_000),
    spiffe: z
      .object({
        /** Trust domain → bundle file (PEM CA certificates or a SPIFFE bundle JWKS). */
        trustDomains: z.record(z.string(), z.string().min(1)),
        /** Take intermediates from the `Chain` of a sanitized `x-forwarded-client-cert`. Default false. */
        xfccIntermediates: z.boolean().default(false),
      })
      .strict()
      .optional(),
    jwt: z
      .object({
        /** Header carrying the token: `authorization` (Bearer scheme) or a header holding it bare. */
        header: z
          .string()
          .regex(/^[a-z0-9-]+$/, "must be a lowercase header name")
          .default("authorization"),
        /** Longest accepted token, bytes. Default 8192. */
        maxTokenBytes: z.number().int().min(512).max(65_536).default(8192),
        issuers: z.array(issuer).default([]),
        /** Accept JWT-SVIDs for these audiences (keys from `spiffe.trustDomains` bundles). */
        svidAudiences: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .optional(),
    trustedProxy: z
      .object({
        /** The signed identity header. Default `x-amzn-oidc-data`. */
        header: z
          .string()
          .regex(/^[a-z0-9-]+$/)
          .default("x-amzn-oidc-data"),
        /** Peers (CIDRs) allowed to assert identity. */
        cidrs: z
          .array(z.string().regex(/^[0-9a-fA-F.:]+(\/\d{1,3})?$/, "must be an address or CIDR"))
          .min(1),
        /** Required `signer` (the ALB ARN). */
        signer: z.string().min(1),
        /** Key URL with `{kid}`, e.g. `https://public-keys.auth.elb.eu-west-1.amazonaws.com/{kid}`. */
        keyUrl: httpUrl.regex(/\{kid\}/, "must contain {kid}").optional(),
        /** Or a JWKS file holding the proxy's keys. */
        keyFile: z.string().min(1).optional(),
        fetchTimeout: duration.default(2_000),
      })
      .strict()
      .refine((proxy) => (proxy.keyUrl === undefined) !== (proxy.keyFile === undefined), {
        message: "set exactly one of keyUrl and keyFile",
      })
      .optional(),
  })
  .strict();

/** The `identity` section, resolved. */
export type IdentityConfig = z.output<typeof identitySchema>;

/** One rate limit tier (issue 20): sustained quotas per window, and how far a burst may go. */
const rateTier = z
  .object({
    /** Requests per minute. */
    perMinute: z.number().int().min(1),
    /** Requests per hour. */
    perHour: z.number().int().min(1).optional(),
    /** Requests per day. */
    perDay: z.number().int().min(1).optional(),
    /** A full bucket holds quota × burst requests (1–100). Default 1. */
    burst: z.number().min(1).max(100).default(1),
  })
  .strict();

/** The enterprise design's tiers. */
const DEFAULT_TIERS = {
  standard: { perMinute: 60, perHour: 2_000, perDay: 20_000, burst: 1.5 },
  enhanced: { perMinute: 300, perHour: 10_000, perDay: 100_000, burst: 2 },
  dedicated: { perMinute: 1_000, perHour: 50_000, perDay: 500_000, burst: 3 },
};

const rateLimitSchema = z
  .object({
    /** Enforce rate limits. Default false. */
    enabled: z.boolean().default(false),
    /** Tier name → quotas. Default standard, enhanced, dedicated (the enterprise design). */
    tiers: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), rateTier).default(DEFAULT_TIERS),
    /** Tier of tenants not in `tenants`. Default `standard`. */
    defaultTier: z.string().min(1).default("standard"),
    /** Tenant → tier name. Default none. */
    tenants: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** JSON pointers into `input.identity`; the first non-empty string is the tenant. */
    tenantFrom: z
      .array(z.string().regex(/^(\/[^/]*)+$/, "must be a JSON pointer such as /jwt/claims/tenant"))
      .default(["/jwt/claims/tenant", "/proxy/claims/tenant", "/spiffe/id"]),
    perAddress: z
      .object({
        /** Limit each client address (every request, denied ones too). Default true. */
        enabled: z.boolean().default(true),
        /** Requests per minute per client address. Default 1000. */
        perMinute: z.number().int().min(1).default(1_000),
        /** Burst multiplier. Default 1. */
        burst: z.number().min(1).max(100).default(1),
        /** Refusals within a minute that block the address; 0 never blocks. Default 100. */
        blockAfter: z.number().int().min(0).default(100),
        /** First block. Default `10m`; each further block within a day doubles it. */
        blockFor: duration.default(600_000),
        /** Longest block. Default `1h`. */
        maxBlockFor: duration.default(3_600_000),
        /** Envoy peers (CIDRs) whose `x-forwarded-for` names the client. Default none. */
        trustedProxies: z
          .array(z.string().regex(/^[0-9a-fA-F.:]+(\/\d{1,3})?$/, "must be an address or CIDR"))
          .default([]),
      })
      .strict()
      .prefault({}),
    /** Redis (`cache.redis`) failed or was slower than `budget`: `local`, `deny` or `allow`. Default `local`. */
    failMode: z.enum(["local", "deny", "allow"]).default("local"),
    /** Longest a take may wait for Redis. Default `5ms`. */
    budget: duration.default(5),
    /** After a Redis failure, decide locally this long before asking Redis again. Default `1s`. */
    retryInterval: duration.default(1_000),
    /** Replicas sharing the limits: local buckets hold 1/replicas of each quota. Default 1. */
    replicas: z.number().int().min(1).max(10_000).default(1),
    /** Keys held by the local buckets (LRU). Default 100000. */
    localMaxKeys: z.number().int().min(1).default(100_000),
  })
  .strict()
  .refine((limits) => limits.tiers[limits.defaultTier] !== undefined, {
    message: "must name a tier of rateLimit.tiers",
    path: ["defaultTier"],
  })
  .refine((limits) => Object.values(limits.tenants).every((tier) => limits.tiers[tier]), {
    message: "every tenant must map to a tier of rateLimit.tiers",
    path: ["tenants"],
  });

/** The `rateLimit` section, resolved. */
export type RateLimitConfig = z.output<typeof rateLimitSchema>;

/**
 * The one configuration schema (docs/contract.md §6). Every key has a default, so `serve` starts
 * with no file at all; unknown keys are errors. The Helm chart's values.schema.json mirrors it, and
 * the README's configuration table names every key (test/readme.test.ts).
 */
export const configSchema = z
  .object({
    listen: z
      .object({
        /** Where Envoy calls Check: `host:port` or `unix:///path`. Default `127.0.0.1:9191`. */
        grpc: grpcAddress.default("127.0.0.1:9191"),
        /** Admin HTTP (`/healthz`, `/readyz`, `/status`, `/metrics`). Default `127.0.0.1:9292`. */
        admin: hostPort.default("127.0.0.1:9292"),
        /** Optional TCP `host:port` serving only gRPC health (Kubernetes native gRPC probes). */
        probe: hostPort.optional(),
      })
      .strict()
      .prefault({}),
    server: z
      .object({
        /** Largest CheckRequest accepted, in bytes (1 KiB–64 MiB). Default 4 MiB (opa-envoy-plugin's grpc-max-recv-msg-size); larger is RESOURCE_EXHAUSTED. */
        maxRequestBytes: z
          .number()
          .int()
          .min(1024)
          .max(64 * 1024 * 1024)
          .default(4 * 1024 * 1024),
        /**
         * Longest a Check call may take to deliver its whole request (message and end of stream)
         * after its HTTP/2 stream opened, 100ms–10m. Default `5s`; then DEADLINE_EXCEEDED and the
         * stream is reset. Envoy sends each Check at once, within its ext_authz `timeout`.
         */
        receiveTimeout: duration
          .refine((ms) => ms >= 100 && ms <= 600_000, "must be between 100ms and 10m")
          .default(5_000),
        /**
         * Bytes that all calls still receiving their request may hold together, 1 MiB–1 GiB and at
         * least `maxRequestBytes`. Default 32 MiB. Past it, the calls receiving longest are ended
         * with RESOURCE_EXHAUSTED. Per worker.
         */
        maxBufferedBytes: z
          .number()
          .int()
          .min(1024 * 1024)
          .max(1024 * 1024 * 1024)
          .default(32 * 1024 * 1024),
        /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS per connection, 1–10000. Default 100 (Envoy opens more connections). */
        maxConcurrentStreams: z.number().int().min(1).max(10_000).default(100),
        /** Node's HTTP/2 memory per connection (nghttp2 state, received and unsent data), MiB, 1–1024. Default 64. */
        maxSessionMemoryMiB: z.number().int().min(1).max(1024).default(64),
        /** Event loops: 1 is one process; N > 1 forks N workers sharing the listeners. Default 1. */
        workers: z.number().int().min(1).max(64).default(1),
        /** How long SIGTERM waits for in-flight checks before closing connections. Default `10s`. */
        shutdownGrace: duration.default(10_000),
      })
      .strict()
      .refine((server) => server.maxBufferedBytes >= server.maxRequestBytes, {
        message: "must be at least server.maxRequestBytes",
        path: ["maxBufferedBytes"],
      })
      .prefault({}),
    policy: z
      .object({
        /** A bundle built by `opa build -t wasm`: `.tar.gz` file, directory or http(s) URL. None: deny all. */
        bundle: z.string().min(1).optional(),
        /** How often the bundle is checked for a new version (URLs get ±10 % jitter). Default `10s`. */
        pollInterval: duration.default(10_000),
        /** Timeout of one bundle download. Default `10s`. */
        fetchTimeout: duration.default(10_000),
        /** File holding the bearer token for the bundle server. */
        tokenFile: z.string().min(1).optional(),
        /** Require bundles signed by this key (OPA's `.signatures.json`). */
        signing: z
          .object({
            /** PEM file with the public key. */
            publicKey: z.string().min(1),
            algorithm: z.enum(SIGNATURE_ALGORITHMS).default("RS256"),
            /** Required key id. Default `default` (what `opa build --signing-key` writes). */
            keyId: z.string().min(1).default("default"),
            /** Required `scope` claim. */
            scope: z.string().min(1).optional(),
          })
          .strict()
          .optional(),
        /** Decision path, `/`-separated. Default `envoy/authz/allow`. */
        decision: z
          .string()
          .regex(/^[A-Za-z0-9_]+(\/[A-Za-z0-9_]+)*$/, "must be a path like envoy/authz/allow")
          .default("envoy/authz/allow"),
        /** Answer OK to denied requests (the decision log keeps the real result). Default false. */
        dryRun: z.boolean().default(false),
        /** Do not build `parsed_body` / `truncated_body`. Default false. */
        skipRequestBodyParse: z.boolean().default(false),
        /**
         * Bounds on a JSON body (and each JSON part of a multipart body), so that every accepted
         * body parses in bounded time and memory. Past any of them the request is refused with
         * HTTP 400 (`request_parse_error`), as an unparsable body is.
         */
        bodyLimits: z
          .object({
            /** Deepest nesting of arrays and objects (1–10000; Go's encoding/json: 10000). Default 256. */
            maxDepth: z.number().int().min(1).max(10_000).default(256),
            /** Most JSON values in one body: scalars, arrays, objects (keys not counted). Default 100000. */
            maxValues: z.number().int().min(1).default(100_000),
            /** Longest JSON string (keys included), in characters. Default 1048576 (1 Mi). */
            maxStringLength: z.number().int().min(1).default(1_048_576),
          })
          .strict()
          .prefault({}),
        /** MCP (JSON-RPC 2.0) traffic, read into `input.mcp` (docs/contract.md §2). */
        mcp: z
          .object({
            /**
             * Path patterns of MCP endpoints (`*` one non-empty segment, a trailing `**` any
             * rest): a body there that is not JSON-RPC 2.0 is refused with HTTP 400 (`request_parse_error`).
             * Default `/mcp`, `/mcp/**` and the shipped policy's MCP route (`/api/v1/tenants/{tenant}/mcp`).
             */
            paths: z.array(mcpPath).default(["/mcp", "/mcp/**", "/api/v1/tenants/*/mcp"]),
          })
          .strict()
          .prefault({}),
        /**
         * Largest wasm memory of each evaluation thread, in 64 KiB pages (16–65536). Default 512
         * (32 MiB): with 2 threads and the image's 128 MiB heap the sidecar stays inside the
         * chart's 256 MiB limit even when every evaluation hits the cap (an evaluation error).
         */
        maxMemoryPages: z.number().int().min(16).max(65536).default(512),
        /**
         * Deadline of one policy evaluation, queueing for a thread included (1ms–60s). Past it the
         * check is denied (`policy_eval_timeout`) and the evaluating thread is replaced. Default
         * `100ms`, below Envoy's default ext_authz timeout of 200 ms.
         */
        evaluationTimeout: duration
          .refine((ms) => ms >= 1 && ms <= 60_000, "must be between 1ms and 60s")
          .default(100),
        /** Evaluation threads, each with its own wasm instance (1–64). Default 2. */
        evaluationThreads: z.number().int().min(1).max(64).default(2),
      })
      .strict()
      .prefault({}),
    identity: identitySchema.prefault({}),
    cache: z
      .object({
        /** Cache read decisions. Default true. */
        enabled: z.boolean().default(true),
        /** Lifetime of a cached decision (never past the caller's credential). Default `30s`. */
        ttl: duration.default(30_000),
        /** Most cached decisions. Default 100000. */
        maxEntries: z.number().int().min(1).default(100_000),
        /** Memory bound: keys, results and bookkeeping of cached decisions, bytes. Default 32 MiB. */
        maxBytes: z
          .number()
          .int()
          .min(1024)
          .default(32 * 1024 * 1024),
        /** Methods whose decisions may be cached. Default GET, HEAD, OPTIONS. */
        methods: z.array(z.string().regex(/^[A-Z]+$/)).default(["GET", "HEAD", "OPTIONS"]),
        /** JSON pointers left out of the cache key (per-request ids, time, trace headers, port). */
        ignore: z
          .array(z.string().regex(/^(\/[^/]*)+$/, "must be a JSON pointer"))
          .default(DEFAULT_IGNORED_PATHS),
        redis: z
          .object({
            ...redisTarget,
            /** Prefix of every key and channel, without `{}` (Cluster hash tags). Default `openclaw-authz:`. */
            keyPrefix: z
              .string()
              .regex(
                /^[^{}]*$/,
                "must not contain { or } (they would change the Redis Cluster hash slots)",
              )
              .default("openclaw-authz:"),
            /** Share cached decisions between replicas. Default true. */
            shareDecisions: z.boolean().default(true),
            /** Longest a cache lookup may wait for Redis. Default `5ms`. */
            budget: duration.default(5),
            /** Connection timeout. Default `1s`. */
            connectTimeout: duration.default(1_000),
          })
          .strict()
          .refine(...oneRedisTarget)
          .optional(),
      })
      .strict()
      .prefault({}),
    decisionLog: z
      .object({
        /** Decision events as NDJSON on stdout. Default true. */
        console: z.boolean().default(true),
        /** Events each sink may hold while it is slow or down; older ones are dropped. Default 10000. */
        queueSize: z.number().int().min(1).max(1_000_000).default(10_000),
        /** On SIGTERM, how long buffered events may take to write. Default `5s`. */
        flushDeadline: duration.default(5_000),
        /**
         * What a sink's backlog past `queueSize` becomes (docs/decision-log-chain.md): `best-effort`
         * drops the oldest (counted, and chained as a `gap` event); `audit` spills it to
         * `spill.dir` and writes it when the sink recovers, after a restart too. Default `best-effort`.
         */
        durability: z.enum(["best-effort", "audit"]).default("best-effort"),
        /** The spill of `durability: audit`; required with it. */
        spill: z
          .object({
            /** Directory holding one sub-directory per sink (`console`, `redis`, `remote`). */
            dir: z.string().min(1),
            /** Most bytes each sink may spill (1 MiB–1 TiB); past it, events are dropped as gaps. Default 1 GiB. */
            maxBytes: z
              .number()
              .int()
              .min(1 << 20)
              .max(2 ** 40)
              .default(2 ** 30),
            /** Longest a spilled event waits for its fsync. Default `200ms`. */
            syncInterval: duration.default(200),
          })
          .strict()
          .optional(),
        /** JSON pointers (`/input/...`) erased from every event, on top of the built-in list. */
        erase: z.array(pointer).default([]),
        /** JSON pointers whose values are replaced with `**REDACTED**`. */
        mask: z.array(pointer).default([]),
        /**
         * Names masked wherever they appear (header, query parameter, body field), on top of the
         * built-in list (docs/decision-log-masking.md): compared case-insensitively, letters and
         * digits only; `*` at either end matches any prefix or suffix. Default none.
         */
        secretNames: z.array(secretName).default([]),
        /**
         * Labels added to every event's `labels` (OPA's instance labels), beside `id` and
         * `version`, which they cannot replace. Default none.
         */
        labels: z
          .record(z.string().min(1), z.string())
          .refine(
            (labels) => !("id" in labels || "version" in labels),
            "id and version are set by the sidecar",
          )
          .default({}),
        redisStream: z
          .object({
            ...redisTarget,
            /** Stream key. Default `openclaw-authz:decisions`. */
            stream: z.string().min(1).default("openclaw-authz:decisions"),
            /** Approximate cap (`XADD MAXLEN ~`). Default 100000. */
            maxLen: z.number().int().min(1).default(100_000),
            /** Longest one batch may take. Default `1s`. */
            timeout: duration.default(1_000),
          })
          .strict()
          .refine(...oneRedisTarget)
          .optional(),
        remote: z
          .object({
            /** The collector endpoint events are POSTed to (OPA's `<service>/logs`). */
            url: httpUrl,
            /** File holding the bearer token (preferred over `token`, which sits in the config). */
            tokenFile: z.string().min(1).optional(),
            token: z.string().min(1).optional(),
            /** Wait this long to batch events. Default `1s`. */
            batchDelay: duration.default(1_000),
            /** Most events per POST. Default 1000. */
            maxBatch: z.number().int().min(1).max(100_000).default(1_000),
            /** Longest one POST may take. Default `5s`. */
            timeout: duration.default(5_000),
          })
          .strict()
          .optional(),
        /** The hash chain over the events (docs/decision-log-chain.md). */
        chain: z
          .object({
            /** Chain every event (`seq`, `chain_id`, `prev_hash`, `hash`). Default true. */
            enabled: z.boolean().default(true),
            /** This sidecar's name, the start of its `chain_id`. Default the host (pod) name. */
            name: z
              .string()
              .regex(/^[A-Za-z0-9._/-]{1,200}$/, "letters, digits and ._/- only, at most 200")
              .optional(),
            /**
             * File holding the chain's head, so a restart links to the last run. Default none:
             * the newest event of this name in `redisStream`, if configured, else a new chain.
             */
            stateFile: z.string().min(1).optional(),
            /** Signed checkpoints; without them the log says nothing about its tail. */
            checkpoint: z
              .object({
                /** Ed25519 private key, PEM PKCS#8; re-read when it changes (rotation). */
                keyFile: z.string().min(1),
                /** The key id checkpoints name. Default the key's RFC 7638 thumbprint. */
                keyId: z.string().min(1).max(200).optional(),
                /** Events between checkpoints (1–1000000). Default 1000. */
                every: z.number().int().min(1).max(1_000_000).default(1_000),
                /** Longest time between checkpoints while events come. Default `60s`. */
                interval: duration.default(60_000),
              })
              .strict()
              .optional(),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .refine((log) => log.durability !== "audit" || log.spill !== undefined, {
        message: "durability audit needs decisionLog.spill.dir",
        path: ["spill"],
      })
      // A restart must link after what the spill still holds, not after the sink's last event.
      .refine((log) => log.durability !== "audit" || !log.chain.enabled || log.chain.stateFile, {
        message: "durability audit needs decisionLog.chain.stateFile",
        path: ["chain", "stateFile"],
      })
      .prefault({}),
    rateLimit: rateLimitSchema.prefault({}),
    tracing: z
      .object({
        /**
         * Where spans go: an OTLP/HTTP protobuf traces URL (`http://collector:4318/v1/traces`).
         * Without it tracing is off and the SDK is never loaded. Default none.
         */
        endpoint: httpUrl.optional(),
        /** Share of new traces kept (0–1); a request carrying a trace context follows its sampled flag. Default 1. */
        sampleRatio: z.number().min(0).max(1).default(1),
        /** The `service.name` resource attribute. Default `openclaw-authz`. */
        serviceName: z.string().min(1).default("openclaw-authz"),
      })
      .strict()
      .prefault({}),
    log: z
      .object({
        /** pino level for the operational log on stderr. Default `info`. */
        level: z
          .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
          .default("info"),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** Where a Redis connection goes: `cache.redis` or `decisionLog.redisStream` (one of url, cluster). */
export type RedisTarget = Pick<NonNullable<Config["cache"]["redis"]>, "url" | "cluster">;

/** The resolved configuration: every key present, durations in milliseconds. */
export type Config = z.output<typeof configSchema>;

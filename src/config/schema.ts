import { z } from "zod";

const DURATION = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** A duration string (`250ms`, `30s`, `5m`, `1h`) resolved to milliseconds. */
const duration = z
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

/**
 * The one configuration schema (CONTRACT.md §6). Every key has a default, so `serve` starts with
 * no file at all; unknown keys are errors. The Helm chart's values.schema.json mirrors it.
 */
export const configSchema = z
  .object({
    listen: z
      .object({
        /** Where Envoy calls Check: `host:port` or `unix:///path`. Default `127.0.0.1:9191`. */
        grpc: grpcAddress.default("127.0.0.1:9191"),
        /** Admin HTTP (`/healthz`, `/readyz`, `/metrics`). Default `127.0.0.1:9292`. */
        admin: hostPort.default("127.0.0.1:9292"),
      })
      .strict()
      .prefault({}),
    server: z
      .object({
        /** Largest CheckRequest accepted, in bytes (1 KiB–64 MiB). Default 8 MiB; larger is RESOURCE_EXHAUSTED. */
        maxRequestBytes: z
          .number()
          .int()
          .min(1024)
          .max(64 * 1024 * 1024)
          .default(8 * 1024 * 1024),
        /** How long SIGTERM waits for in-flight checks before closing connections. Default `10s`. */
        shutdownGrace: duration.default(10_000),
      })
      .strict()
      .prefault({}),
    policy: z
      .object({
        /** A bundle built by `opa build -t wasm`: a `.tar.gz` file or a directory. None: deny all. */
        bundle: z.string().min(1).optional(),
        /** Decision path, `/`-separated. Default `envoy/authz/allow`. */
        decision: z
          .string()
          .regex(/^[A-Za-z0-9_]+(\/[A-Za-z0-9_]+)*$/, "must be a path like envoy/authz/allow")
          .default("envoy/authz/allow"),
        /** Answer OK to denied requests (the decision log keeps the real result). Default false. */
        dryRun: z.boolean().default(false),
        /** Do not build `parsed_body` / `truncated_body`. Default false. */
        skipRequestBodyParse: z.boolean().default(false),
        /** Largest wasm memory in 64 KiB pages (16–65536). Default 4096 (256 MiB). */
        maxMemoryPages: z.number().int().min(16).max(65536).default(4096),
      })
      .strict()
      .prefault({}),
    /** Identity verification (SPIFFE, JWT, trusted proxy) arrives with issue #3; none is enabled yet. */
    identity: z.object({}).strict().prefault({}),
    cache: z
      .object({
        /** Lifetime of a cached read decision. Default `30s`. (The cache itself arrives with issue #4.) */
        ttl: duration.default(30_000),
        /** Most cached decisions. Default 100000. */
        maxEntries: z.number().int().min(1).default(100_000),
        /** Methods whose decisions may be cached. Default GET, HEAD, OPTIONS. */
        methods: z.array(z.string().regex(/^[A-Z]+$/)).default(["GET", "HEAD", "OPTIONS"]),
      })
      .strict()
      .prefault({}),
    decisionLog: z
      .object({
        /** Decision events as NDJSON on stdout. Default true. */
        console: z.boolean().default(true),
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

/** The resolved configuration: every key present, durations in milliseconds. */
export type Config = z.output<typeof configSchema>;

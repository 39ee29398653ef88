import type { Config } from "../config/index.js";
import { AuthzError } from "../errors.js";

/** Every option of every command, as `node:util` parseArgs reads it. */
export const OPTIONS = {
  config: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
  subject: { type: "string" },
  jti: { type: "string" },
  for: { type: "string" },
  follow: { type: "boolean", short: "f" },
  "deny-only": { type: "boolean" },
  count: { type: "string" },
  bundle: { type: "string" },
  log: { type: "string" },
  "redis-stream": { type: "boolean" },
  "max-flips": { type: "string" },
  examples: { type: "string" },
  json: { type: "boolean" },
  dir: { type: "string" },
  keys: { type: "string" },
  format: { type: "string" },
  since: { type: "string" },
  until: { type: "string" },
} as const;

export type OptionName = keyof typeof OPTIONS;
export type Values = {
  [name in OptionName]?: (typeof OPTIONS)[name]["type"] extends "string" ? string : boolean;
};
export type Io = { out: (text: string) => void; err: (text: string) => void; tty: boolean };

/** One subcommand: its help and what it runs. */
export interface CommandSpec {
  /** After `openclaw-authz `: the words, then the options and arguments it takes. */
  synopsis: string;
  /** What it does, for the list of commands. */
  summary: string;
  /** More about it, for its own `--help`. */
  about: string;
  /** How many positional arguments it takes after its words. */
  positionals: number;
  /** The options it takes (`--config` and `--help` included), with their help lines. */
  options: Partial<Record<OptionName, string>>;
  /** What exit statuses 0 and 1 mean for it; the others are {@link EXIT_STATUS}'s. */
  exits: { 0: string; 1?: string };
  /** Runs it; resolves to the exit status, or `serving` for a process that keeps running. */
  run(
    config: Config,
    args: { values: Values; positionals: string[] },
    io: Io,
  ): Promise<number | "serving">;
}

/** The help of `--config`, which every command takes. */
export const CONFIG = `YAML configuration (default $OPENCLAW_AUTHZ_CONFIG, else built-in defaults); \${VAR} in it is replaced by the environment variable VAR, empty when unset`;

/** Subcommands by their words. Each loads its modules when run, so a process holds only what its command needs. */
export const COMMANDS: Record<string, CommandSpec> = {
  serve: {
    synopsis: "serve [--config FILE]",
    summary: "run the ext_authz sidecar",
    about:
      "Serves Check, health and reflection on listen.grpc and /healthz, /readyz, /status and /metrics on listen.admin. Without a loadable policy it starts, is not ready and denies every check. SIGTERM drains in-flight checks, flushes the decision log and exits 0.",
    positionals: 0,
    options: { config: CONFIG },
    exits: { 0: "stopped by SIGTERM or SIGINT" },
    run: async (config) => {
      const { serve } = await import("./serve.js");
      await serve(config);
      return "serving";
    },
  },
  check: {
    synopsis: "check [--config FILE] [REQUEST.json | -]",
    summary: "run one CheckRequest through the pipeline serve uses",
    about:
      'Reads one CheckRequest in protobuf JSON (lowerCamelCase or snake_case names) from REQUEST.json, or from stdin with - (the default), runs it through the pipeline serve uses and prints {"decision", "response", "identity"}.',
    positionals: 1,
    options: { config: CONFIG },
    exits: { 0: "allowed (a dry-run deny too: Envoy would get OK)", 1: "denied" },
    run: async (config, { positionals }, io) => {
      const { check } = await import("./check.js");
      return check(config, positionals[0] ?? "-", io.out);
    },
  },
  revoke: {
    synopsis: "revoke [--config FILE] (--subject S | --jti J) [--for DURATION]",
    summary: "deny a subject or one token everywhere",
    about:
      "Records the revocation in Redis (cache.redis) and publishes it, so every sidecar denies within a second and drops its cached decisions; without Redis, appends it to identity.revocationFile. Prints the revocation as JSON.",
    positionals: 0,
    options: {
      config: CONFIG,
      subject: "deny every credential whose subject, SPIFFE ID, token sub or proxy sub is S",
      jti: "deny the one token whose jti is J",
      for: "how long, as 30m, 24h (default 24h)",
    },
    exits: { 0: "revoked" },
    run: async (config, { values }, io) => {
      const { revoke } = await import("./revoke.js");
      return revoke(config, { subject: values.subject, jti: values.jti, for: values.for }, io.out);
    },
  },
  "logs tail": {
    synopsis: "logs tail [--config FILE] [--follow] [--deny-only] [--subject S] [--count N]",
    summary: "print the decision log from its Redis Stream",
    about:
      "Prints the decision log from decisionLog.redisStream, oldest first: aligned lines on a terminal, NDJSON when piped. --follow then waits for new events until interrupted.",
    positionals: 0,
    options: {
      config: CONFIG,
      follow: "wait for new events (until Ctrl-C)",
      "deny-only": "only denied decisions",
      subject: "only decisions of subject S",
      count: "how many recent events to print first (default 20)",
    },
    exits: { 0: "printed" },
    run: async (config, { values }, io) => {
      const interrupted = new AbortController();
      process.once("SIGINT", () => interrupted.abort());
      const options = {
        follow: values.follow ?? false,
        denyOnly: values["deny-only"] ?? false,
        subject: values.subject,
        count: wholeNumber(values.count, 20, "--count"),
        human: io.tty,
        signal: interrupted.signal,
      };
      const { tailLogs } = await import("./logs.js");
      return tailLogs(config, options, io.out);
    },
  },
  "logs verify": {
    synopsis:
      "logs verify [--config FILE] (--log FILE | - | --dir DIR | --redis-stream) [--keys FILE] [--json]",
    summary: "check the decision log's hash chain and signed checkpoints",
    about:
      "Checks the decision log's hash chain and signed checkpoints (docs/decision-log-chain.md) and prints the verified ranges and every gap, edit, reorder, insert or bad signature.",
    positionals: 0,
    options: {
      config: CONFIG,
      log: "an NDJSON decision log file, - for stdin",
      dir: "a directory of collector uploads (NDJSON or JSON arrays, either gzipped), read by name",
      "redis-stream": "read decisionLog.redisStream",
      keys: "verification keys (a JWK Set or PEM public keys); without, signatures are not checked",
      json: "print the report as JSON",
    },
    exits: { 0: "intact", 1: "a gap, edit, reorder, insert or bad signature" },
    run: async (config, { values }, io) => {
      const { verifyCommand } = await import("./logs-verify.js");
      return verifyCommand(config, { ...logSource(values), json: values.json ?? false }, io.out);
    },
  },
  "logs export": {
    synopsis:
      "logs export --format csv|ndjson [--config FILE] (--log FILE | - | --dir DIR | --redis-stream) [--since TIME] [--until TIME] [--deny-only]",
    summary: "decisions in a time window, as CSV or NDJSON",
    about:
      "Prints the decisions (not the chain's control events) in the window, oldest first as stored: NDJSON keeps each event's text as logged, so it still verifies; CSV has one row per decision.",
    positionals: 0,
    options: {
      format: "csv or ndjson (required)",
      config: CONFIG,
      log: "an NDJSON decision log file, - for stdin",
      dir: "a directory of collector uploads, read by name",
      "redis-stream": "read decisionLog.redisStream",
      since: "decisions at or after TIME (RFC 3339)",
      until: "decisions before TIME (RFC 3339)",
      "deny-only": "only denied decisions",
    },
    exits: { 0: "exported" },
    run: async (config, { values }, io) => {
      const { exportCommand, parseTime } = await import("./logs-export.js");
      if (values.format !== "csv" && values.format !== "ndjson")
        throw new AuthzError("usage_invalid", "logs export needs --format csv or ndjson");
      const options = {
        ...logSource(values),
        format: values.format,
        denyOnly: values["deny-only"] ?? false,
        ...(values.since ? { sinceMs: parseTime(values.since, "--since") } : {}),
        ...(values.until ? { untilMs: parseTime(values.until, "--until") } : {}),
      } as const;
      return exportCommand(config, options, io.out);
    },
  },
  replay: {
    synopsis:
      "replay --bundle CANDIDATE [--config FILE] [--log FILE | - | --dir DIR | --redis-stream] [--max-flips N] [--examples N] [--json]",
    summary: "re-evaluate logged decisions with a candidate bundle",
    about:
      "Re-evaluates the decisions the policy made in a decision log with CANDIDATE and reports the allow/deny flips by route and subject. Decisions made without the policy's answer (a refused or revoked credential, a request that could not be parsed, a deadline) are counted apart, never as flips.",
    positionals: 0,
    options: {
      bundle: "the candidate: a bundle .tar.gz or directory (opa build -t wasm)",
      config: `${CONFIG}; the decision path, evaluation limits and decisionLog.redisStream`,
      log: "NDJSON decision log file, - for stdin (the default)",
      dir: "a directory of collector uploads, read by name",
      "redis-stream": "read decisionLog.redisStream",
      "max-flips": "exit 1 when flips exceed N (default 0)",
      examples: "how many changed decisions to show (default 5)",
      json: "print the report as JSON",
    },
    exits: { 0: "flips within --max-flips", 1: "flips over --max-flips" },
    run: async (config, { values }, io) => {
      if (!values.bundle) throw new AuthzError("usage_invalid", "replay needs --bundle");
      const options = {
        bundle: values.bundle,
        ...(values.log ? { log: values.log } : {}),
        ...(values.dir ? { dir: values.dir } : {}),
        redisStream: values["redis-stream"] ?? false,
        maxFlips: wholeNumber(values["max-flips"], 0, "--max-flips"),
        examples: wholeNumber(values.examples, 5, "--examples"),
        json: values.json ?? false,
      };
      const { replayCommand } = await import("./replay.js");
      return replayCommand(config, options, io.out);
    },
  },
};

/** The log source options `logs verify` and `logs export` share. */
function logSource(values: Values) {
  return {
    ...(values.log ? { log: values.log } : {}),
    ...(values.dir ? { dir: values.dir } : {}),
    ...(values.keys ? { keys: values.keys } : {}),
    redisStream: values["redis-stream"] ?? false,
  };
}

function wholeNumber(text: string | undefined, fallback: number, name: string): number {
  const n = Number(text ?? fallback);
  if (!Number.isInteger(n) || n < 0)
    throw new AuthzError("usage_invalid", `${name} must be a whole number`);
  return n;
}

import { parseArgs } from "node:util";
import { type Config, loadConfig } from "../config/index.js";
import { AuthzError } from "../errors.js";
import { VERSION } from "../version.js";

const USAGE = `Usage: openclaw-authz <command> [options]

Commands:
  serve [--config FILE]                 run the ext_authz sidecar
  check --config FILE [REQUEST.json|-]  run one CheckRequest (protobuf JSON) through the pipeline;
                                        exit 0 allowed, 1 denied, 2 usage or config error
  revoke --config FILE (--subject S | --jti J) [--for DURATION]
                                        deny a subject or token everywhere (default for 24h)
  logs tail --config FILE [--follow] [--deny-only] [--subject S] [--count N]
                                        print the decision log from its Redis Stream
  logs verify (--log FILE|- | --dir DIR | --redis-stream) [--keys FILE] [--json]
                                        check the log's hash chain and signed checkpoints;
                                        exit 1 on any gap, edit, reorder or bad signature
  logs export --format csv|ndjson (--log FILE|- | --dir DIR | --redis-stream)
              [--since TIME] [--until TIME] [--deny-only]
                                        decisions in a time window, as CSV or NDJSON
  replay --bundle CANDIDATE [--config FILE] [--log FILE|- | --redis-stream]
         [--max-flips N] [--examples N] [--json]
                                        re-evaluate logged decisions with a candidate bundle;
                                        exit 1 when allow/deny flips exceed --max-flips (0)

Options:
  --config FILE   YAML configuration (default: $OPENCLAW_AUTHZ_CONFIG, else built-in defaults)
  --help          show this help
  --version       print the version
`;

/** Runs the command line; resolves to the process exit code. `env` is the process environment. */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  io: Io,
): Promise<number | "serving"> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`openclaw-authz: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) return print(io.out, `${VERSION}\n`);
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === "help")
    return print(io.out, USAGE, command === undefined && !values.help ? 2 : 0);
  const run =
    COMMANDS[[command, ...rest].join(" ")] ??
    (rest.length <= 1 && command === "check" ? COMMANDS.check : undefined);
  if (!run) {
    io.err(`openclaw-authz: unknown command or arguments: ${positionals.join(" ")}\n\n${USAGE}`);
    return 2;
  }
  try {
    const config = await loadConfig(values.config ?? env.OPENCLAW_AUTHZ_CONFIG);
    return await run(config, { values, positionals: rest }, io);
  } catch (error) {
    if (!(error instanceof AuthzError)) throw error;
    io.err(`openclaw-authz: ${error.code}: ${error.message}\n`);
    return 2;
  }
}

type Values = ReturnType<typeof parse>["values"];
type Io = { out: (text: string) => void; err: (text: string) => void; tty: boolean };
type Command = (
  config: Config,
  args: { values: Values; positionals: string[] },
  io: Io,
) => Promise<number | "serving">;

/**
 * Subcommands by their words (`check` also takes one positional, the request file). Each loads
 * its modules when run, so a process holds only what its command needs in memory.
 */
const COMMANDS: Record<string, Command> = {
  serve: async (config) => {
    const { serve } = await import("./serve.js");
    await serve(config);
    return "serving";
  },
  check: async (config, { positionals }, io) => {
    const { check } = await import("./check.js");
    return check(config, positionals[0] ?? "-", io.out);
  },
  "logs tail": async (config, { values }, io) => {
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
  "logs verify": async (config, { values }, io) => {
    const { verifyCommand } = await import("./logs-verify.js");
    return verifyCommand(config, { ...logSource(values), json: values.json ?? false }, io.out);
  },
  "logs export": async (config, { values }, io) => {
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
  replay: async (config, { values }, io) => {
    if (!values.bundle) throw new AuthzError("usage_invalid", "replay needs --bundle");
    const options = {
      bundle: values.bundle,
      ...(values.log ? { log: values.log } : {}),
      redisStream: values["redis-stream"] ?? false,
      maxFlips: wholeNumber(values["max-flips"], 0, "--max-flips"),
      examples: wholeNumber(values.examples, 5, "--examples"),
      json: values.json ?? false,
    };
    const { replayCommand } = await import("./replay.js");
    return replayCommand(config, options, io.out);
  },
  revoke: async (config, { values }, io) => {
    const { revoke } = await import("./revoke.js");
    return revoke(config, { subject: values.subject, jti: values.jti, for: values.for }, io.out);
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

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
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
    },
  });
}

function print(write: (text: string) => void, text: string, code = 0): number {
  write(text);
  return code;
}

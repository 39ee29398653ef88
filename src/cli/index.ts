import { parseArgs } from "node:util";
import { loadConfig } from "../config/index.js";
import { AuthzError } from "../errors.js";
import { COMMANDS, type CommandSpec, type Io, OPTIONS, type Values } from "./commands.js";
import { exitStatus } from "./exit-status.js";
import { commandHelp, commandUsage, usage } from "./usage.js";
import { versionText } from "./version.js";

/**
 * Runs the command line; resolves to the exit status (README "Command line"), or `serving` for
 * `serve`, which keeps running. `env` is the process environment: `OPENCLAW_AUTHZ_CONFIG` and
 * what `${VAR}` in the config file names. Never throws: every failure is one line on stderr
 * (`openclaw-authz: <code>: <message>`) and its exit status; usage errors add the usage.
 */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  io: Io,
): Promise<number | "serving"> {
  let invocation: Invocation;
  try {
    invocation = parse(argv);
  } catch (error) {
    const help = error instanceof UsageError ? commandUsage(error.spec, error.command) : usage();
    io.err(`openclaw-authz: ${(error as Error).message}\n\n${help}`);
    return 2;
  }
  const { spec, values, positionals } = invocation;
  if (values.version) return print(io.out, versionText());
  if (values.help) return print(io.out, spec ? commandHelp(spec) : usage());
  if (!spec) {
    io.err(usage());
    return 2;
  }
  try {
    const config = await loadConfig(values.config ?? env.OPENCLAW_AUTHZ_CONFIG, env);
    return await spec.run(config, { values, positionals }, io);
  } catch (error) {
    const code = error instanceof AuthzError ? error.code : "internal";
    io.err(`openclaw-authz: ${code}: ${(error as Error).message ?? String(error)}\n`);
    return exitStatus(error);
  }
}

type Invocation = { spec?: CommandSpec; values: Values; positionals: string[] };

/** A command line that names a command but not the way it is used: its help goes with the error. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly spec: CommandSpec,
    readonly command: string,
  ) {
    super(message);
  }
}

/**
 * Splits the command line into the command, its options and its arguments. Throws on an unknown
 * option, an option of another command, or arguments the command does not take.
 */
function parse(argv: string[]): Invocation {
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    allowPositionals: true,
    tokens: true,
    options: OPTIONS,
  });
  const [first, ...rest] = positionals;
  if (first === "help") {
    // `openclaw-authz help [command]`
    const spec = rest.length > 0 ? COMMANDS[rest.join(" ")] : undefined;
    if (rest.length > 0 && !spec) throw new Error(`unknown command: ${rest.join(" ")}`);
    return { ...(spec ? { spec } : {}), values: { help: true }, positionals: [] };
  }
  if (first === undefined) return { values, positionals };
  const name = first === "logs" ? `logs ${rest[0] ?? ""}`.trim() : first;
  const spec = COMMANDS[name];
  if (!spec && first === "logs")
    throw new Error(`${name}: the logs commands are logs tail, logs verify and logs export`);
  if (!spec) throw new Error(`unknown command: ${first}`);
  const args = first === "logs" ? rest.slice(1) : rest;
  for (const token of tokens) {
    if (token.kind !== "option" || token.name === "help" || token.name === "version") continue;
    if (!(token.name in spec.options))
      throw new UsageError(notAnOption(token.name, token.rawName, name), spec, name);
  }
  if (args.length > spec.positionals)
    throw new UsageError(`${name}: unexpected argument ${args[spec.positionals]}`, spec, name);
  return { spec, values: values as Values, positionals: args };
}

function notAnOption(option: string, flag: string, command: string): string {
  const owners = Object.entries(COMMANDS)
    .filter(([, spec]) => option in spec.options)
    .map(([name]) => name);
  return `${command} does not take ${flag}${owners.length > 0 ? ` (an option of ${owners.join(", ")})` : ""}`;
}

function print(write: (text: string) => void, text: string): number {
  write(text);
  return 0;
}

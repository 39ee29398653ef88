import { COMMANDS, CONFIG, type CommandSpec, OPTIONS, type OptionName } from "./commands.js";
import { EXIT_MEANINGS } from "./exit-status.js";

const GLOBAL: Partial<Record<OptionName, string>> = {
  help: "show this help; openclaw-authz <command> --help shows a command's",
  version: "print the version, the commit, and the opa-wasm and OPA versions",
};

/** `openclaw-authz --help`: every command with its synopsis, the global options, the exit statuses. */
export function usage(): string {
  const commands = Object.values(COMMANDS).flatMap((spec) => [
    `  ${spec.synopsis}`,
    `        ${spec.summary}`,
  ]);
  return [
    "Usage: openclaw-authz <command> [options]",
    "",
    "Commands:",
    ...commands,
    "",
    "Options:",
    ...optionLines({ config: CONFIG, ...GLOBAL }),
    "",
    "Exit status:",
    "  0, 1  as each command says (openclaw-authz <command> --help)",
    ...exitLines(),
    "",
  ].join("\n");
}

/** What a command line that misuses `spec` gets on stderr after the error: how to use it. */
export function commandUsage(spec: CommandSpec, name: string): string {
  return `Usage: openclaw-authz ${spec.synopsis}\nSee openclaw-authz ${name} --help.\n`;
}

/** `openclaw-authz <command> --help`. */
export function commandHelp(spec: CommandSpec): string {
  return [
    `Usage: openclaw-authz ${spec.synopsis}`,
    "",
    wrap(spec.about, 0),
    "",
    "Options:",
    ...optionLines({ ...spec.options, help: "show this help" }),
    "",
    "Exit status:",
    `  0     ${spec.exits[0]}`,
    ...(spec.exits[1] ? [`  1     ${spec.exits[1]}`] : []),
    ...exitLines(),
    "",
  ].join("\n");
}

function optionLines(options: Partial<Record<OptionName, string>>): string[] {
  const flags = Object.keys(options).map((name) => {
    const spec: { type: string; short?: string } = OPTIONS[name as OptionName];
    const argument = spec.type === "string" ? ` ${ARGUMENT[name] ?? "VALUE"}` : "";
    return `${spec.short ? `-${spec.short}, ` : ""}--${name}${argument}`;
  });
  const width = Math.max(...flags.map((flag) => flag.length)) + 2;
  return Object.values(options).map((help, i) => {
    const flag = flags[i] as string;
    return `  ${flag.padEnd(width)}${wrap(help as string, width + 2).trimStart()}`;
  });
}

const ARGUMENT: Record<string, string> = {
  config: "FILE",
  subject: "S",
  jti: "J",
  for: "DURATION",
  count: "N",
  bundle: "CANDIDATE",
  log: "FILE|-",
  "max-flips": "N",
  examples: "N",
  dir: "DIR",
  keys: "FILE",
  format: "csv|ndjson",
  since: "TIME",
  until: "TIME",
};

function exitLines(): string[] {
  return Object.entries(EXIT_MEANINGS).map(
    ([status, meaning]) => `  ${status.padEnd(6)}${wrap(meaning, 8).trimStart()}`,
  );
}

/** `text` in lines of at most 100 characters, each after `indent` spaces. */
function wrap(text: string, indent: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && indent + line.length + 1 + word.length > 100) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.map((l) => `${" ".repeat(indent)}${l}`).join("\n");
}

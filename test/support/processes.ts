import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { built, ROOT, tool } from "./paths.js";

export const run = promisify(execFile);

/** A child process that printed a line telling where it listens. */
export interface Started {
  process: ChildProcess;
  /** The first line matching the readiness pattern. */
  line: string;
  stdout: string[];
  stderr: string[];
  /** Signals the child (SIGTERM) and waits; SIGKILL if it has not exited after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

/** How long `stop` waits after its signal before SIGKILL. */
const STOP_GRACE_MS = 10_000;

/**
 * Spawns `command` and resolves once a stdout/stderr line matches `ready`. A child that does not
 * become ready within `timeoutMs` is killed; `stop` signals it and, if it has not exited after a
 * grace period, kills it.
 */
export function startProcess(
  command: string,
  args: string[],
  ready: RegExp,
  timeoutMs = 20_000,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Started> {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const stop = async (signal: NodeJS.Signals = "SIGTERM", graceMs = STOP_GRACE_MS) => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    child.kill(signal);
    const grace = setTimeout(() => child.kill("SIGKILL"), graceMs);
    const code = await exited;
    clearTimeout(grace);
    return code;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `${command} did not become ready in ${timeoutMs} ms (killed):\n${stderr.join("\n")}`,
        ),
      );
    }, timeoutMs);
    // Lines, not chunks: a line longer than a pipe chunk (a big decision log event) arrives in
    // pieces, kept until its newline.
    const watch = (lines: string[]) => {
      let partial = "";
      return (chunk: string) => {
        const pieces = (partial + chunk).split("\n");
        partial = pieces.pop() ?? "";
        for (const line of pieces) {
          if (line === "") continue;
          lines.push(line);
          if (ready.test(line)) {
            clearTimeout(timer);
            resolve({ process: child, line, stdout, stderr, stop });
          }
        }
      };
    };
    child.stdout.setEncoding("utf8").on("data", watch(stdout));
    child.stderr.setEncoding("utf8").on("data", watch(stderr));
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code ?? signal}:\n${stderr.join("\n")}`));
    });
  });
}

/** How a command ended: its exit status (null when a signal ended it) and all it printed. */
export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** What {@link runToEnd} takes besides the command line and its input. */
export interface RunOptions {
  /** Added to this process's environment; a value of undefined removes a variable. */
  env?: Record<string, string | undefined>;
  /** SIGKILL after this long (default 60 s): a child that should have exited must not hang a test. */
  timeoutMs?: number;
}

/**
 * Runs a command in the checkout to its end, `input` on its stdin (closed at once without one);
 * never rejects on how it exits.
 */
export function runToEnd(
  command: string,
  args: string[],
  input?: string,
  options: RunOptions = {},
): Promise<Finished> {
  const env = { ...process.env, ...options.env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  child.stdin.on("error", () => {}); // a child that exits before reading
  child.stdin.end(input);
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      });
    });
  });
}

/** Runs `openclaw-authz` (the built dist/main.js) with `args` to its end ({@link runToEnd}). */
export function cli(
  args: string[],
  options: RunOptions & { stdin?: string } = {},
): Promise<Finished> {
  return runToEnd("node", [built("dist/main.js"), ...args], options.stdin, options);
}

/** Compiles a policy directory with the pinned `opa build -t wasm` into a bundle; returns its path. */
export async function buildBundle(policyDir: string, entrypoint: string): Promise<string> {
  const out = join(await mkdtemp(join(tmpdir(), "oc-bundle-")), "bundle.tar.gz");
  await run(tool("opa"), [
    "build",
    "-t",
    "wasm",
    "-e",
    entrypoint,
    "--ignore",
    "*_test.rego",
    "-o",
    out,
    policyDir,
  ]);
  return out;
}

/**
 * Builds a policy directory as the shipped bundle is built (scripts/build-policy: its routes
 * indexed into data.openclaw.route_index, then `opa build -t wasm`); returns the bundle's path.
 */
export async function buildIndexedBundle(policyDir: string): Promise<string> {
  const out = join(await mkdtemp(join(tmpdir(), "oc-bundle-")), "bundle.tar.gz");
  await run("bash", [join(ROOT, "scripts/build-policy"), policyDir, out]);
  return out;
}

const DOCKERFILE = readFileSync(join(ROOT, "Dockerfile"), "utf8");

/** The V8 flags the Docker image runs the sidecar with (its `ENV NODE_OPTIONS`). */
export const IMAGE_NODE_FLAGS = (/^ENV NODE_OPTIONS="([^"]*)"$/m.exec(DOCKERFILE)?.[1] ?? "")
  .split(" ")
  .filter(Boolean);

/**
 * The flags the image's ENTRYPOINT gives node before dist/main.js (`--no-regexp-tier-up`, which
 * NODE_OPTIONS refuses): every test sidecar starts with them, as the image starts it.
 */
export const IMAGE_NODE_ARGS = ((): string[] => {
  const command = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(DOCKERFILE)?.[1] ?? "[]") as string[];
  const script = command.indexOf("dist/main.js");
  if (command[0] !== "node" || script < 0)
    throw new Error("Dockerfile: no node … dist/main.js ENTRYPOINT");
  return command.slice(1, script);
})();

/** A running sidecar (`openclaw-authz serve`) with its bound addresses. */
export interface Sidecar extends Started {
  grpc: string;
  admin: string;
}

/**
 * The evaluation deadline of test sidecars unless a test sets one: the shipped 100 ms is a
 * latency bound for production, not for two cores shared by parallel test files and coverage
 * counters, where a check that runs late would be denied and the test would fail at random.
 * Tests of the deadline set their own (test/evaluation-deadline.test.ts).
 */
const TEST_EVALUATION_TIMEOUT = "10s";

/**
 * Writes a config (listeners on free loopback ports unless set) and starts `serve`, with the
 * image's {@link IMAGE_NODE_ARGS} and `nodeFlags` (V8 and Node options) before the script. `coverage: false` runs it without the
 * coverage counters the run may ask for (NODE_V8_COVERAGE): for tests that bound elapsed time.
 */
export async function startSidecar(
  config: Record<string, unknown>,
  nodeFlags: string[] = [],
  options: { coverage?: boolean } = {},
): Promise<Sidecar> {
  const dir = await mkdtemp(join(tmpdir(), "oc-sidecar-"));
  const listen = { grpc: "127.0.0.1:0", admin: "127.0.0.1:0", ...(config.listen as object) };
  const policy = { evaluationTimeout: TEST_EVALUATION_TIMEOUT, ...(config.policy as object) };
  const path = join(dir, "config.yaml");
  await writeFile(path, stringify({ ...config, listen, policy }));
  const { NODE_V8_COVERAGE: _, ...uncounted } = process.env;
  const started = await startProcess(
    "node",
    [...IMAGE_NODE_ARGS, ...nodeFlags, built("dist/main.js"), "serve", "--config", path],
    /"msg":"serving"/,
    undefined,
    options.coverage === false ? uncounted : process.env,
  );
  const fields = JSON.parse(started.line) as { grpc: string; admin: string };
  return { ...started, grpc: fields.grpc, admin: fields.admin };
}

/** Starts the Go reference oracle (test/oracle) on a free port. */
export async function startOracle(
  policyDir: string,
  decision: string,
  extra: string[] = [],
): Promise<Started & { grpc: string }> {
  const started = await startProcess(
    tool("authz-oracle"),
    ["-policy", policyDir, "-decision", decision, ...extra],
    /^listening /,
  );
  return { ...started, grpc: started.line.replace("listening ", "") };
}

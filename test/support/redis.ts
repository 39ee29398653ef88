/**
 * A real Redis for tests: a container through testcontainers when a Docker engine answers,
 * otherwise a `redis-server` child process on a free loopback port (scripts/test installs it).
 * Faults are real: pause (SIGSTOP / docker pause), kill, restart on the same port.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createServer, type Socket } from "node:net";

export interface TestRedis {
  url: string;
  pause(): Promise<void>;
  resume(): Promise<void>;
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  return dockerAnswers()
    ? startContainer()
    : withFreshPorts(1, ([port]) => startProcess(port as number));
}

function dockerAnswers(): boolean {
  try {
    execFileSync("docker", ["info"], { stdio: "ignore", timeout: 3_000 });
    return true;
  } catch {
    return false;
  }
}

async function startContainer(): Promise<TestRedis> {
  const { GenericContainer } = await import("testcontainers");
  const container = await new GenericContainer("redis:7-alpine").withExposedPorts(6379).start();
  const docker = (...args: string[]) => {
    execFileSync("docker", [...args, container.getId()], { stdio: "ignore" });
  };
  return {
    url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
    pause: async () => docker("pause"),
    resume: async () => docker("unpause"),
    kill: async () => docker("kill"),
    restart: async () => docker("start"),
    stop: async () => {
      await container.stop();
    },
  };
}

async function startProcess(port: number): Promise<TestRedis> {
  let child = await spawnRedis(port);
  const signal = (name: NodeJS.Signals) => child.kill(name);
  return {
    url: `redis://127.0.0.1:${port}`,
    pause: async () => void signal("SIGSTOP"),
    resume: async () => void signal("SIGCONT"),
    kill: async () => {
      signal("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));
    },
    restart: async () => {
      child = await spawnRedis(port);
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        signal("SIGCONT");
        signal("SIGKILL");
        await new Promise((resolve) => child.once("exit", resolve));
      }
    },
  };
}

/** A `redis-server` that exited before it was ready: most often its port was taken meanwhile. */
export class RedisExited extends Error {}

/**
 * A `redis-server` on loopback `port` (no persistence), with `extra` arguments and `cwd` (where
 * a cluster node keeps its nodes.conf); resolves once it logs that it accepts connections. Ready
 * is read from the child's own log, not from a PING to the port: a port another server took
 * between {@link freePort} and the bind would answer a PING for it. Throws {@link RedisExited}
 * when the child exits first (see {@link withFreshPorts}).
 */
export async function spawnRedis(
  port: number,
  extra: string[] = [],
  cwd?: string,
): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...extra],
    { stdio: ["ignore", "pipe", "ignore"], ...(cwd ? { cwd } : {}) },
  );
  const stdout = child.stdout as NodeJS.ReadableStream;
  let log = "";
  const outcome = await new Promise<"ready" | "exited" | "failed">((resolve) => {
    const timer = setTimeout(() => resolve("failed"), 5_000);
    const settle = (result: "ready" | "exited" | "failed") => {
      clearTimeout(timer);
      resolve(result);
    };
    stdout.on("data", (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4_096);
      if (log.includes("Ready to accept connections")) settle("ready");
    });
    child.once("exit", () => settle("exited"));
    child.once("error", () => settle("failed"));
  });
  // Its log is drained from now on, so a chatty node never blocks on a full pipe.
  stdout.removeAllListeners("data");
  stdout.resume();
  if (outcome === "ready") return child;
  child.kill("SIGKILL");
  if (outcome === "exited")
    throw new RedisExited(`redis-server on port ${port} exited: ${lastLine(log)}`);
  throw new Error("redis-server did not start (is it installed? scripts/test installs it)");
}

/**
 * `start` with ports from {@link freePort}, again with new ones (up to 5 times) when the server
 * exited before it was ready, its port taken by another process meanwhile.
 */
export async function withFreshPorts<T>(
  count: number,
  start: (ports: number[]) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) ports.push(await freePort());
    try {
      return await start(ports);
    } catch (error) {
      if (!(error instanceof RedisExited) || attempt === 5) throw error;
    }
  }
}

function lastLine(text: string): string {
  return text.trim().split("\n").pop() ?? "";
}

/** A free loopback port (bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** A TCP server that speaks like Redis badly: `garbage` answers junk, `silent` never answers. */
export async function startFakeRedis(
  mode: "garbage" | "silent",
): Promise<{ url: string; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    if (mode === "garbage") socket.on("data", () => socket.write("%$#@!\r\nnot redis\r\n"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    url: `redis://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A real Redis for tests: a container through testcontainers when a Docker engine answers,
 * otherwise a `redis-server` child process on a free loopback port (scripts/test installs it).
 * Faults are real: pause (SIGSTOP / docker pause), kill, restart on the same port.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createServer, Socket } from "node:net";

export interface TestRedis {
  url: string;
  pause(): Promise<void>;
  resume(): Promise<void>;
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  return dockerAnswers() ? startContainer() : startProcess(await freePort());
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

/**
 * A `redis-server` on loopback `port` (no persistence), with `extra` arguments and `cwd` (where
 * a cluster node keeps its nodes.conf); resolves once it answers.
 */
export async function spawnRedis(
  port: number,
  extra: string[] = [],
  cwd?: string,
): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...extra],
    { stdio: "ignore", ...(cwd ? { cwd } : {}) },
  );
  child.once("error", () => {});
  for (let i = 0; i < 100; i++) {
    if (await pong(port)) return child;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill("SIGKILL");
  throw new Error("redis-server did not start (is it installed? scripts/test installs it)");
}

function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
    socket.connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      // A server that wants a password answers too: it is up.
      resolve(/^(\+PONG|-NOAUTH)/.test(data.toString()));
    });
  });
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

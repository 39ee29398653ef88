/**
 * A real Redis Cluster for tests: 3 masters and 3 replicas, `redis-server --cluster-enabled yes`
 * child processes on free loopback ports (each in a temporary directory for its nodes.conf),
 * joined by `redis-cli --cluster create --cluster-replicas 1`, with a password as production
 * would have. Faults are real: a master killed with SIGKILL, its replica promoted by the cluster.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "./processes.js";
import { spawnRedis, withFreshPorts } from "./redis.js";
import { until } from "./wait.js";

const PASSWORD = "cluster-test-secret";
/**
 * How long a node may be silent before the cluster fails it over. Short, so a failover takes
 * seconds; not so short that a node starved of CPU on a loaded machine is failed over by mistake.
 */
const NODE_TIMEOUT_MS = 2_000;

export interface TestRedisCluster {
  /** Every node, `127.0.0.1:port`: the seed nodes of `cache.redis.cluster`. */
  nodes: string[];
  /** `{cluster: {nodes, password}}`, for `cache.redis` or `decisionLog.redisStream`. */
  target: { cluster: { nodes: string[]; password: string } };
  /** Runs `redis-cli` against the node at `port` (authenticated); its stdout. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** The master serving `key`'s hash slot now, `host:port`. */
  masterOf(key: string): Promise<string>;
  /**
   * Kills (SIGKILL) the master serving `key`'s slot, and resolves once its replica has taken the
   * slot over and every remaining node says `cluster_state:ok`. Both nodes as `host:port`.
   */
  killMasterOf(key: string): Promise<{ killed: string; promoted: string }>;
  /** Kills every node and removes the directories. */
  stop(): Promise<void>;
}

interface Node {
  port: number;
  dir: string;
  child: ChildProcess;
}

/** One line of `CLUSTER NODES`: the node's address, its flags and the slots it serves. */
interface NodeLine {
  address: string;
  flags: string[];
  slots: string[];
}

export async function startRedisCluster(): Promise<TestRedisCluster> {
  const nodes: Node[] = [];
  const stop = async () => {
    await Promise.all(nodes.map(({ child }) => killed(child)));
    await Promise.all(nodes.map(({ dir }) => rm(dir, { recursive: true, force: true })));
  };
  try {
    for (let i = 0; i < 6; i++) nodes.push(await startNode());
    const cli = (port: number, ...args: string[]) => redisCli(port, args);
    const addresses = nodes.map(({ port }) => `127.0.0.1:${port}`);
    await run("redis-cli", [
      ...auth,
      "--cluster",
      "create",
      ...addresses,
      "--cluster-replicas",
      "1",
      "--cluster-yes",
    ]);
    const live = () => nodes.filter(({ child }) => child.exitCode === null && !child.signalCode);
    const healthy = async () =>
      (await Promise.all(live().map(({ port }) => clusterOk(port)))).every(Boolean);
    const synced = async () => {
      const lines = await clusterNodes(nodes[0]?.port as number);
      const masters = lines.filter((n) => n.flags.includes("master") && n.slots.length > 0);
      const replicas = lines.filter((n) => n.flags.includes("slave"));
      if (masters.length !== 3 || replicas.length !== 3) return false;
      const links = await Promise.all(
        replicas.map((r) => cli(portOf(r.address), "info", "replication")),
      );
      return links.every((info) => info.includes("master_link_status:up"));
    };
    if (!(await until(async () => (await healthy()) && (await synced()), 30_000, 100)))
      throw new Error("the Redis Cluster did not reach cluster_state:ok with 3 synced replicas");
    return {
      nodes: addresses,
      target: { cluster: { nodes: addresses, password: PASSWORD } },
      cli,
      masterOf: async (key) => (await ownerOf(live()[0]?.port as number, key)) as string,
      async killMasterOf(key) {
        const killedAddress = (await ownerOf(live()[0]?.port as number, key)) as string;
        const victim = nodes.find(({ port }) => port === portOf(killedAddress)) as Node;
        await killed(victim.child);
        const witness = live()[0]?.port as number;
        let promoted: string | undefined;
        const tookOver = async () => {
          promoted = await ownerOf(witness, key);
          return promoted !== undefined && promoted !== killedAddress && (await healthy());
        };
        if (!(await until(tookOver, 30_000, 100)))
          throw new Error(`no replica took over ${key} from ${killedAddress} within 30 s`);
        return { killed: killedAddress, promoted: promoted as string };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

const auth = ["-a", PASSWORD, "--no-auth-warning"];

async function startNode(): Promise<Node> {
  const dir = await mkdtemp(join(tmpdir(), "oc-redis-cluster-"));
  return withFreshPorts(2, async ([port, busPort]) => {
    const child = await spawnRedis(
      port as number,
      [
        ...["--cluster-enabled", "yes", "--cluster-config-file", join(dir, "nodes.conf")],
        ...["--cluster-port", String(busPort), "--cluster-node-timeout", String(NODE_TIMEOUT_MS)],
        ...["--requirepass", PASSWORD, "--masterauth", PASSWORD],
      ],
      dir,
    );
    return { port: port as number, dir, child };
  });
}

async function redisCli(port: number, args: string[]): Promise<string> {
  const { stdout } = await run("redis-cli", ["-p", String(port), ...auth, ...args], {
    timeout: 5_000,
  });
  return stdout;
}

async function clusterOk(port: number): Promise<boolean> {
  try {
    return (await redisCli(port, ["cluster", "info"])).includes("cluster_state:ok");
  } catch {
    return false;
  }
}

async function clusterNodes(port: number): Promise<NodeLine[]> {
  return (await redisCli(port, ["cluster", "nodes"]))
    .trim()
    .split("\n")
    .map((line) => {
      const [, address = "", flags = "", , , , , , ...slots] = line.split(" ");
      return { address: address.split("@")[0] as string, flags: flags.split(","), slots };
    });
}

/** The master serving `key`'s slot, as the node at `port` sees the cluster. */
async function ownerOf(port: number, key: string): Promise<string | undefined> {
  const slot = Number((await redisCli(port, ["cluster", "keyslot", key])).trim());
  return (await clusterNodes(port)).find(
    (n) => n.flags.includes("master") && !n.flags.includes("fail") && serves(n, slot),
  )?.address;
}

const portOf = (address: string) => Number(address.slice(address.lastIndexOf(":") + 1));

function serves(node: NodeLine, slot: number): boolean {
  return node.slots.some((range) => {
    const [from, to = from] = range.split("-").map(Number) as [number, number?];
    return slot >= from && slot <= (to as number);
  });
}

async function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

import type { Cluster, ClusterOptions, Redis, RedisOptions } from "ioredis";
import type { RedisTarget } from "../config/index.js";

/** A connection to one Redis server or to a Redis Cluster: ioredis's two clients. */
export type RedisClient = Redis | Cluster;

/** How a client behaves, whichever kind it is. */
export interface RedisClientOptions {
  /** Longest a connection attempt may take, ms. Default ioredis's (10 s). */
  connectTimeoutMs?: number;
  /** Longest one command may wait for its answer, ms. Default none. */
  commandTimeoutMs?: number;
  /** Commands wait for a connection (the revocation subscriber); else they fail at once. */
  queueWhileDisconnected?: boolean;
  /** Reconnect only while this holds (a command line's first connection is not retried). Default always. */
  reconnectWhile?: () => boolean;
  /** Connections a command may be sent on again after its own failed. Default 0 (none; unbounded when queueing). */
  commandRetries?: number;
  /** Connect only on `connect()`. Default false. */
  lazyConnect?: boolean;
}

/** Reconnect backoff: 100 ms, 200 ms, … up to 2 s. */
const backoff = (attempt: number) => Math.min(50 * 2 ** attempt, 2_000);

/**
 * A client for `target`: a `Redis` for `url`, a `Cluster` for `cluster` (slots discovered from
 * its seed nodes, followed through MOVED and failovers), with the same timeouts, queueing and
 * reconnects either way. ioredis (~6 MB resident) loads here, only where Redis is configured.
 * Not connected yet when `lazyConnect`; errors are the caller's to listen for.
 */
export async function createRedisClient(
  target: RedisTarget,
  options: RedisClientOptions,
): Promise<RedisClient> {
  const { Cluster, Redis } = await import("ioredis");
  const queue = options.queueWhileDisconnected === true;
  const { reconnectWhile } = options;
  const retryStrategy = reconnectWhile
    ? (attempt: number) => (reconnectWhile() ? backoff(attempt) : null)
    : backoff;
  const perConnection: RedisOptions = {
    // A command fails with its connection rather than waiting for the next one.
    maxRetriesPerRequest: queue ? null : (options.commandRetries ?? 0),
    enableReadyCheck: true,
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeout: options.connectTimeoutMs }),
    ...(options.commandTimeoutMs === undefined ? {} : { commandTimeout: options.commandTimeoutMs }),
  };
  const lazy = options.lazyConnect === true ? { lazyConnect: true } : {};
  if (target.cluster === undefined)
    return new Redis(target.url as string, {
      ...perConnection,
      ...lazy,
      enableOfflineQueue: queue,
      retryStrategy,
    });
  const { nodes, username, password, tls } = target.cluster;
  const settings: ClusterOptions = {
    ...lazy,
    // Without it a command to a node that is not connected (a failed master) waits in that
    // node's queue; with it the command fails at once and the check falls back.
    enableOfflineQueue: queue,
    enableReadyCheck: true,
    clusterRetryStrategy: retryStrategy,
    ...(options.connectTimeoutMs === undefined
      ? {}
      : { slotsRefreshTimeout: options.connectTimeoutMs }),
    // TLS certificates name the nodes as they announce themselves: connect to those addresses.
    ...(tls ? { dnsLookup: (address, done) => done(null, address) } : {}),
    redisOptions: {
      ...perConnection,
      ...(username === undefined ? {} : { username }),
      ...(password === undefined ? {} : { password }),
      ...(tls ? { tls: {} } : {}),
    },
  };
  return new Cluster(nodes.map(hostAndPort), settings);
}

function hostAndPort(node: string): { host: string; port: number } {
  const colon = node.lastIndexOf(":");
  return {
    host: node.slice(0, colon).replace(/^\[(.*)\]$/, "$1"),
    port: Number(node.slice(colon + 1)),
  };
}

/**
 * `target` for messages and logs, never a secret: the URL without its password, or the cluster's
 * seed nodes. `key` is the config section it came from (`cache.redis`), named with its field.
 */
export function describeRedis(target: RedisTarget, key?: string): string {
  const where = key === undefined ? "" : ` (${key}.${target.cluster ? "cluster" : "url"})`;
  return target.cluster
    ? `Redis Cluster at ${target.cluster.nodes.join(",")}${where}`
    : `Redis at ${redactUrl(target.url as string)}${where}`;
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, "//***@");
}

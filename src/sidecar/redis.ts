import type { Logger } from "pino";
import { OVER_BUDGET, withinBudget } from "../budget.js";
import type { Config, RedisTarget } from "../config/index.js";
import { AuthzError } from "../errors.js";
import { createRedisClient, describeRedis, type RedisClient } from "./redis-client.js";

/**
 * The one way this project opens Redis, for a sidecar: a client (one server or a Cluster, from
 * `target`) that reconnects by itself (backoff up to 2 s) and reports every connection error to
 * `onError`. A command never waits for a connection unless `queueWhileDisconnected` (the
 * revocation subscriber must not miss its subscription); `commandTimeoutMs` bounds each command.
 */
export async function redisClient(
  target: RedisTarget,
  options: {
    connectTimeoutMs?: number;
    commandTimeoutMs?: number;
    queueWhileDisconnected?: boolean;
    onError(error: Error): void;
  },
): Promise<RedisClient> {
  const { onError, ...settings } = options;
  const client = await createRedisClient(target, settings);
  client.on("error", onError);
  // A Cluster reports a failing node (a master that went down) apart from its own errors.
  client.on("node error", onError);
  return client;
}

/** A Redis connection of one command-line run (`revoke`, `logs tail`, `replay --redis-stream`). */
export interface CommandRedis {
  client: RedisClient;
  /**
   * The error a failed command of `client` ends the run with: `redis_unavailable`, naming the
   * URL and the connection's own error (`connect ECONNREFUSED …`) over ioredis's retry notice.
   */
  failed(error: unknown): AuthzError;
  /** Disconnects (at once: a command line waits for nothing). */
  close(): void;
}

/**
 * For one command-line run: a client connected now, or `AuthzError("redis_unavailable")` within
 * `connectTimeoutMs`, naming the URL (password hidden), the config key it came from and why
 * (`connect ECONNREFUSED 127.0.0.1:6379`). A connection lost later is made again once for the
 * command in flight, which then fails; the caller closes it.
 */
export async function connectRedisOnce(
  target: RedisTarget,
  options: { key: string; connectTimeoutMs?: number },
): Promise<CommandRedis> {
  let connected = false;
  const client = await createRedisClient(target, {
    connectTimeoutMs: options.connectTimeoutMs ?? 2_000,
    commandRetries: 1,
    // The first connection is not retried: a refused one fails the run at once.
    reconnectWhile: () => connected,
    lazyConnect: true,
  });
  // The socket's own error says why; a failed connect() or command only says that it failed.
  let cause: Error | undefined;
  client.on("error", (error: Error) => {
    cause = error;
  });
  client.on("node error", (error: Error) => {
    cause = error;
  });
  const where = describeRedis(target, options.key);
  // Once ended, disconnect() would only start ioredis's 2 s timer for a stream already closed,
  // which holds the process's exit.
  const close = () => {
    if (client.status !== "end") client.disconnect();
  };
  try {
    await client.connect();
  } catch (error) {
    close();
    const why = (cause ?? (error as Error)).message;
    throw new AuthzError("redis_unavailable", `cannot reach ${where}: ${why}`);
  }
  connected = true;
  return {
    client,
    failed: (error) =>
      error instanceof AuthzError
        ? error
        : new AuthzError(
            "redis_unavailable",
            `lost ${where}: ${(cause ?? (error as Error)).message}`,
            { cause: error },
          ),
    close,
  };
}

/** The two connections the sidecar keeps to Redis: commands, and a subscriber for revocations. */
export interface RedisConnections {
  commands: RedisClient;
  subscriber: RedisClient;
  close(): Promise<void>;
}

/**
 * Opens the connections for `cache.redis` and waits up to `connectTimeout` for the first one,
 * so revocations load before the first check; if Redis is not there, the sidecar starts anyway
 * and both connections keep reconnecting by themselves. Commands never queue while disconnected
 * (a check must not wait for Redis), and `onError` hears every connection error.
 */
export async function openRedis(
  redis: NonNullable<Config["cache"]["redis"]>,
  logger: Logger,
  onError: (error: Error) => void,
): Promise<RedisConnections> {
  const connectTimeoutMs = redis.connectTimeout;
  const commands = await redisClient(redis, { connectTimeoutMs, onError });
  const subscriber = await redisClient(redis, {
    connectTimeoutMs,
    queueWhileDisconnected: true,
    onError,
  });
  // Already ready while the subscriber was made: its "ready" has been emitted.
  const ready =
    commands.status === "ready" ||
    // Not events.once: it rejects on the connection errors that come before a late "ready".
    (await withinBudget(
      new Promise<void>((resolve) => commands.once("ready", () => resolve())),
      connectTimeoutMs,
    )) !== OVER_BUDGET;
  if (!ready)
    logger.warn(
      { redis: describeRedis(redis) },
      "redis not reachable yet; deciding locally and reconnecting in the background",
    );
  return {
    commands,
    subscriber,
    // disconnect, not QUIT: a Redis that stopped answering must not hold up shutdown.
    close: async () => {
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}

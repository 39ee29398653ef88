import type { Redis, RedisOptions } from "ioredis";
import type { Logger } from "pino";
import type { Config } from "../config/index.js";
import { AuthzError } from "../errors.js";

/**
 * The one way this project opens Redis, for a sidecar: a client that reconnects by itself
 * (backoff up to 2 s) and reports every connection error to `onError`. A command never waits for
 * a connection unless `queueWhileDisconnected` (the revocation subscriber must not miss its
 * subscription); `commandTimeoutMs` bounds each command. ioredis (~6 MB resident) loads here, only
 * where Redis is configured.
 */
export async function redisClient(
  url: string,
  options: {
    connectTimeoutMs?: number;
    commandTimeoutMs?: number;
    queueWhileDisconnected?: boolean;
    onError(error: Error): void;
  },
): Promise<Redis> {
  const { Redis } = await import("ioredis");
  const queue = options.queueWhileDisconnected === true;
  const settings: RedisOptions = {
    enableOfflineQueue: queue,
    maxRetriesPerRequest: queue ? null : 0,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
    enableReadyCheck: true,
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeout: options.connectTimeoutMs }),
    ...(options.commandTimeoutMs === undefined ? {} : { commandTimeout: options.commandTimeoutMs }),
  };
  const client = new Redis(url, settings);
  client.on("error", options.onError);
  return client;
}

/**
 * For one command-line run: a client connected now, or `AuthzError("redis_unavailable")` within
 * `connectTimeoutMs`. A connection lost later (`logs tail --follow`) is made again; the caller
 * disconnects it.
 */
export async function connectRedisOnce(url: string, connectTimeoutMs = 2_000): Promise<Redis> {
  const { Redis } = await import("ioredis");
  const client = new Redis(url, {
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
  });
  client.on("error", () => {}); // the failed connect() below says it
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new AuthzError("redis_unavailable", `redis: ${(error as Error).message}`);
  }
  return client;
}

/** The two connections the sidecar keeps to Redis: commands, and a subscriber for revocations. */
export interface RedisConnections {
  commands: Redis;
  subscriber: Redis;
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
  const commands = await redisClient(redis.url, { connectTimeoutMs, onError });
  const subscriber = await redisClient(redis.url, {
    connectTimeoutMs,
    queueWhileDisconnected: true,
    onError,
  });
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), redis.connectTimeout);
    commands.once("ready", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  if (!ready)
    logger.warn(
      { url: redactUrl(redis.url) },
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

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, "//***@");
}

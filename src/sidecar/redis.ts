import type { Redis, RedisOptions } from "ioredis";
import type { Logger } from "pino";
import type { Config } from "../config/index.js";

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
  const options: RedisOptions = {
    connectTimeout: redis.connectTimeout,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
    enableReadyCheck: true,
  };
  // Loaded only when Redis is configured: ioredis is ~6 MB of resident memory.
  const { Redis } = await import("ioredis");
  const commands = new Redis(redis.url, options);
  const subscriber = new Redis(redis.url, {
    ...options,
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
  });
  for (const client of [commands, subscriber]) client.on("error", onError);
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

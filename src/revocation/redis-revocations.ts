import { OVER_BUDGET, withinBudget } from "../budget.js";
import type { Clock } from "../clock.js";
import { parseRevocation, type Revocation, type RevocationList } from "./revocation-list.js";

/** The Redis commands revocation uses (an ioredis client satisfies it). */
export interface RevocationCommands {
  hgetall(key: string): Promise<Record<string, string>>;
  hset(key: string, field: string, value: string): Promise<unknown>;
  hdel(key: string, ...fields: string[]): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
}

/** A subscribed connection (ioredis in subscriber mode satisfies it). */
export interface RevocationSubscriber {
  subscribe(channel: string): Promise<unknown>;
  on(event: "message", listener: (channel: string, message: string) => void): unknown;
  on(event: "ready", listener: () => void): unknown;
}

/** Revocations live in one hash (`<prefix>revocations`), announced on the channel of that name. */
const hashKey = (prefix: string) => `${prefix}revocations`;

/**
 * Records a revocation in Redis (it survives restarts of every sidecar) and publishes it so every
 * running sidecar applies it at once.
 */
export async function publishRevocation(
  redis: RevocationCommands,
  prefix: string,
  revocation: Revocation,
): Promise<void> {
  const message = JSON.stringify(revocation);
  await redis.hset(hashKey(prefix), `${revocation.kind}:${revocation.value}`, message);
  await redis.publish(hashKey(prefix), message);
}

/**
 * Keeps `list` equal to Redis: loads every revocation now and after each reconnect (messages
 * published while disconnected are not lost), applies published ones as they arrive, prunes
 * expired ones; and every `resyncIntervalMs` when set. On Redis Cluster that interval bounds what
 * a moved subscription can miss: ioredis resubscribes through another node when its node fails,
 * without a reconnect this could see. Errors go to `onError`; the last known list keeps applying.
 * `close()` stops the resync; the connections are the caller's, and closing them ends the rest.
 */
export async function followRedisRevocations(
  deps: {
    list: RevocationList;
    redis: RevocationCommands;
    subscriber: RevocationSubscriber;
    clock: Clock;
    onError(error: Error): void;
  },
  options: { prefix: string; startTimeoutMs: number; resyncIntervalMs?: number },
): Promise<{ close(): void }> {
  const { list, redis, subscriber } = deps;
  const key = hashKey(options.prefix);
  const reload = async () => {
    try {
      const fields = await redis.hgetall(key);
      const all = Object.entries(fields).map(([field, value]) => ({
        field,
        revocation: parseRevocation(value),
      }));
      list.replace(all.flatMap(({ revocation }) => (revocation ? [revocation] : [])));
      const expired = all
        .filter(({ revocation }) => !revocation || revocation.untilMs <= deps.clock.now().getTime())
        .map(({ field }) => field);
      if (expired.length > 0) await redis.hdel(key, ...expired);
    } catch (error) {
      deps.onError(error as Error);
    }
  };
  subscriber.on("message", (channel, message) => {
    const revocation = channel === key ? parseRevocation(message) : undefined;
    if (revocation) list.apply(revocation);
  });
  subscriber.on("ready", () => {
    subscriber.subscribe(key).then(reload, (error: Error) => deps.onError(error));
  });
  // Not awaited: a Redis that accepts connections but never answers must not hold up the start.
  subscriber.subscribe(key).catch((error: Error) => deps.onError(error));
  // Nor one whose answer never comes (seen once in the bench, right after redis-server started:
  // the HGETALL was answered by Redis, its promise never settled): the first load waits at most
  // `startTimeoutMs`, then the list loads at the next reconnect or resync.
  if ((await withinBudget(reload(), options.startTimeoutMs)) === OVER_BUDGET)
    deps.onError(new Error(`revocations not loaded within ${options.startTimeoutMs} ms`));
  const { resyncIntervalMs } = options;
  const timer =
    resyncIntervalMs === undefined ? undefined : setInterval(reload, resyncIntervalMs).unref();
  return { close: () => clearInterval(timer) };
}

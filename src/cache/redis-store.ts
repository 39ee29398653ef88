import { OVER_BUDGET, withinBudget } from "../budget.js";
import type { SharedDecisionStore } from "./decision-cache.js";

/** The two Redis commands the shared cache uses (an ioredis client satisfies it). */
export interface RedisCommands {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: "PX", ttlMs: number): Promise<unknown>;
}

/** Why a Redis call did not help: counted in metrics, logged at most once per interval. */
export type RedisFailure = "timeout" | "error" | "garbage";

/** What {@link createRedisDecisionStore} needs. */
export interface RedisStoreDeps {
  redis: RedisCommands;
  /**
   * A lookup or write that did not help. Not `onError`: a timeout or a garbage answer is a failure
   * with no Error, and the kind is what metrics count.
   */
  onFailure(failure: RedisFailure, error?: Error): void;
}

/** Options for {@link createRedisDecisionStore}. */
export interface RedisStoreOptions {
  /** Key prefix shared by every replica, e.g. `openclaw-authz:`. */
  prefix: string;
  /** Longest a lookup may delay a check, ms; past it the sidecar decides locally. */
  budgetMs: number;
}

/**
 * The decision cache shared through Redis. A lookup that fails, answers garbage or takes longer
 * than the budget counts as a miss (reported to `onFailure`); writes are fire-and-forget. Redis
 * is never on the critical path for longer than `budgetMs` and never turns into a deny. Nothing
 * to close: the connection is the caller's.
 */
export function createRedisDecisionStore(
  deps: RedisStoreDeps,
  options: RedisStoreOptions,
): SharedDecisionStore {
  const { redis, onFailure } = deps;
  const keyOf = (key: string) => `${options.prefix}decision:${key}`;
  return {
    async get(key) {
      try {
        const value = await withinBudget(redis.get(keyOf(key)), options.budgetMs);
        if (value === OVER_BUDGET) {
          onFailure("timeout");
          return undefined;
        }
        return value === null ? undefined : parseEntry(value, onFailure);
      } catch (error) {
        onFailure("error", error as Error);
        return undefined;
      }
    },
    set(key, value, ttlMs) {
      redis
        .set(keyOf(key), JSON.stringify(value), "PX", Math.max(1, Math.floor(ttlMs)))
        .catch((error: Error) => onFailure("error", error));
    },
  };
}

function parseEntry(
  text: string,
  onFailure: (failure: RedisFailure) => void,
): { result: unknown } | undefined {
  try {
    const entry = JSON.parse(text) as { result?: unknown };
    if (typeof entry === "object" && entry !== null && "result" in entry)
      return { result: entry.result };
  } catch {
    // fall through: not ours, or corrupted
  }
  onFailure("garbage");
  return undefined;
}

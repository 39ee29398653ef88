import { OVER_BUDGET, withinBudget } from "../budget.js";
import {
  BLOCK_MEMORY_MS,
  type BucketRequest,
  type BucketStore,
  type TakeResult,
} from "./buckets.js";
import { intervalUs, type Window } from "./gcra.js";
import { BUCKET_SCRIPT, BUCKET_SCRIPT_SHA } from "./redis-script.js";

/** The two scripting commands the shared buckets use (an ioredis client satisfies it). */
export interface RedisScripting {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/** Why a shared take failed; the limiter counts it and falls back. */
export class BucketStoreError extends Error {
  override readonly name = "BucketStoreError";
  constructor(
    readonly failure: "timeout" | "error" | "garbage",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Options for {@link createRedisBuckets}. */
export interface RedisBucketsOptions {
  /** Longest one take may wait for Redis, ms; past it the take rejects with `timeout`. */
  budgetMs: number;
}

/**
 * Buckets shared by every replica: one EVALSHA per take (EVAL once when Redis does not know the
 * script yet: a restart, a failover). A take that errs, answers garbage or outlasts the budget
 * rejects with {@link BucketStoreError}. Nothing to close: the connection is the caller's.
 */
export function createRedisBuckets(
  deps: { redis: RedisScripting },
  options: RedisBucketsOptions,
): BucketStore {
  const { redis } = deps;
  async function run(args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(BUCKET_SCRIPT_SHA, 4, ...args);
    } catch (error) {
      if (!String((error as Error).message).startsWith("NOSCRIPT")) throw error;
      return redis.eval(BUCKET_SCRIPT, 4, ...args);
    }
  }
  return {
    async take(request) {
      let answer: unknown;
      try {
        answer = await withinBudget(run(scriptArgs(request)), options.budgetMs);
      } catch (error) {
        throw new BucketStoreError("error", (error as Error).message, { cause: error });
      }
      if (answer === OVER_BUDGET)
        throw new BucketStoreError("timeout", `no answer within ${options.budgetMs} ms`);
      return toResult(answer, request.windows);
    },
  };
}

function scriptArgs({ key, windows, abuse }: BucketRequest): (string | number)[] {
  return [
    key,
    `${key}:block`,
    `${key}:strikes`,
    `${key}:level`,
    windows.length,
    abuse?.blockAfter ?? 0,
    abuse?.strikeWindowMs ?? 0,
    abuse?.firstBlockMs ?? 0,
    abuse?.longestBlockMs ?? 0,
    BLOCK_MEMORY_MS,
    ...windows.flatMap((window) => [intervalUs(window), window.capacity]),
  ];
}

function toResult(answer: unknown, windows: readonly Window[]): TakeResult {
  const values = Array.isArray(answer) ? answer : [];
  const [allowed, binding, remaining, retryAfterUs, resetUs, blockedMs] = values as number[];
  const window = windows[binding ?? -1];
  if (values.length !== 6 || !values.every(Number.isInteger) || !window)
    throw new BucketStoreError("garbage", "unexpected answer to the rate limit script");
  return {
    allowed: allowed === 1,
    window,
    remaining: remaining as number,
    retryAfterUs: retryAfterUs as number,
    resetUs: resetUs as number,
    blockedMs: blockedMs as number,
  };
}

import { OVER_BUDGET, withinBudget } from "../budget.js";
import {
  BLOCK_MEMORY_MS,
  type BucketRequest,
  type BucketStore,
  type TakeResult,
} from "./buckets.js";
import { intervalUs } from "./gcra.js";
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
  /**
   * Longest one run may wait for Redis's answer, ms, from its sending at the end of the turn its
   * takes came in; past it each of its takes rejects with `timeout`.
   */
  budgetMs: number;
  /**
   * The runs of different keys gathered in one turn go in one script call: for one Redis. A
   * Redis Cluster runs a script on one hash slot, so there each key's run is a call of its own.
   */
  oneCallPerTurn: boolean;
}

/** Most takes of one key in one script run (a run blocks Redis for about 1 µs per take). */
export const MAX_TAKES_PER_RUN = 64;
/** Most runs in one script call: at most 16 × 64 takes, about a millisecond of Redis. */
export const MAX_RUNS_PER_CALL = 16;

/** Takes of one key waiting for the next script run. */
interface Run {
  request: BucketRequest;
  waiting: Array<{ resolve(result: TakeResult): void; reject(error: Error): void }>;
}

/**
 * Buckets shared by every replica: one EVALSHA per turn of the event loop on one Redis, per key
 * and turn on a Cluster (EVAL once when Redis does not know the script yet: a restart, a
 * failover). The takes of one key that meet in one turn (a busy tenant) go in one run of the
 * script, which decides them one after the other, atomically, as if each had come alone; the
 * runs of a call follow one another in it: one command, one write, one answer for all of them
 * (each round trip costs the sidecar some 50–80 µs of CPU here, mostly the kernel's). A call
 * that errs, answers garbage or outlasts the budget rejects each of its takes with
 * {@link BucketStoreError}. Nothing to close: the connection is the caller's.
 */
export function createRedisBuckets(
  deps: { redis: RedisScripting },
  options: RedisBucketsOptions,
): BucketStore {
  const { redis } = deps;
  const pending = new Map<string, Run>();

  async function evaluate(keys: number, args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(BUCKET_SCRIPT_SHA, keys, ...args);
    } catch (error) {
      if (!String((error as Error).message).startsWith("NOSCRIPT")) throw error;
      return redis.eval(BUCKET_SCRIPT, keys, ...args);
    }
  }

  /** One call of the script for `runs`: each run's results, in order. */
  async function call(runs: Run[]): Promise<TakeResult[][]> {
    const keys = runs.flatMap(({ request: { key } }) => [
      key,
      `${key}:block`,
      `${key}:strikes`,
      `${key}:level`,
    ]);
    const args = runs.flatMap(({ request, waiting }) => runArgs(request, waiting.length));
    let answer: unknown;
    try {
      const answered = evaluate(keys.length, [...keys, runs.length, ...args]);
      answer = await withinBudget(answered, options.budgetMs);
    } catch (error) {
      throw new BucketStoreError("error", (error as Error).message, { cause: error });
    }
    if (answer === OVER_BUDGET)
      throw new BucketStoreError("timeout", `no answer within ${options.budgetMs} ms`);
    return toResults(answer, runs);
  }

  async function send(runs: Run[]): Promise<void> {
    try {
      const results = await call(runs);
      runs.forEach(({ waiting }, r) => {
        for (const [i, take] of waiting.entries()) take.resolve(results[r]?.[i] as TakeResult);
      });
    } catch (error) {
      for (const { waiting } of runs) for (const take of waiting) take.reject(error as Error);
    }
  }

  /** Sends the runs gathered in this turn of the event loop. */
  function flush() {
    const runs = [...pending.values()];
    pending.clear();
    const perCall = options.oneCallPerTurn ? MAX_RUNS_PER_CALL : 1;
    for (let at = 0; at < runs.length; at += perCall) void send(runs.slice(at, at + perCall));
  }

  return {
    take(request) {
      return new Promise((resolve, reject) => {
        const gathering = pending.get(request.key);
        if (
          gathering &&
          gathering.request.windows === request.windows &&
          gathering.request.abuse === request.abuse &&
          gathering.waiting.length < MAX_TAKES_PER_RUN
        ) {
          gathering.waiting.push({ resolve, reject });
          return;
        }
        // Full, or other limits under the same key: that run goes now, ahead of this take.
        if (gathering) void send([gathering]);
        else if (pending.size === 0) setImmediate(flush);
        pending.set(request.key, { request, waiting: [{ resolve, reject }] });
      });
    },
  };
}

/** One run's arguments of the script (see redis-script.ts). */
function runArgs({ windows, abuse }: BucketRequest, count: number): (string | number)[] {
  return [
    windows.length,
    count,
    abuse?.blockAfter ?? 0,
    abuse?.strikeWindowMs ?? 0,
    abuse?.firstBlockMs ?? 0,
    abuse?.longestBlockMs ?? 0,
    BLOCK_MEMORY_MS,
    ...windows.flatMap((window) => [intervalUs(window), window.capacity]),
  ];
}

/** The script's flat answer: six integers per take, in the order of the runs and their takes. */
function toResults(answer: unknown, runs: readonly Run[]): TakeResult[][] {
  const values = (Array.isArray(answer) ? answer : []) as number[];
  const garbage = () =>
    new BucketStoreError("garbage", "unexpected answer to the rate limit script");
  const takes = runs.reduce((sum, { waiting }) => sum + waiting.length, 0);
  if (values.length !== 6 * takes || !values.every(Number.isInteger)) throw garbage();
  let at = 0;
  return runs.map(({ request: { windows }, waiting }) =>
    waiting.map(() => {
      const window = windows[values[at + 1] as number];
      if (!window) throw garbage();
      const result: TakeResult = {
        allowed: values[at] === 1,
        window,
        remaining: values[at + 2] as number,
        retryAfterUs: values[at + 3] as number,
        resetUs: values[at + 4] as number,
        blockedMs: values[at + 5] as number,
      };
      at += 6;
      return result;
    }),
  );
}

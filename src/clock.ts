/**
 * Time as every module here reads it: injected, so tests control it; {@link systemClock} in the
 * sidecar. The evaluation threads keep their own (they run in a worker, see
 * `policy/evaluation-worker.ts`).
 */
export interface Clock {
  /** Wall-clock time, for timestamps, expiries and cooldowns. */
  now(): Date;
  /** Monotonic nanoseconds, for timers. */
  nowNs(): bigint;
}

/** The clock of the real process. */
export const systemClock: Clock = { now: () => new Date(), nowNs: () => process.hrtime.bigint() };

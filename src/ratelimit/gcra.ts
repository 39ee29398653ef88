/**
 * GCRA (the generic cell rate algorithm, ITU-T I.371 "virtual scheduling") over several windows
 * at once: a request is allowed only when every window of its key allows it, and a refused request
 * changes nothing. This is the local twin of the Lua script in `redis-script.ts`; both keep, per
 * window, the theoretical arrival time (TAT) in microseconds and must answer alike.
 */

/** One window of a limit, resolved: `quota` requests per `windowMs`, a bucket of `capacity`. */
export interface Window {
  /** Short name used in headers and the decision log: `minute`, `hour`, `day`. */
  name: string;
  /** Requests per window (the `q` of `RateLimit-Policy`). */
  quota: number;
  /** Window length, ms (the `w` of `RateLimit-Policy`, in seconds there). */
  windowMs: number;
  /** Requests allowed at once from a full bucket: quota × burst, at least 1. */
  capacity: number;
}

/** What one GCRA step decided for a key. */
export interface GcraResult {
  allowed: boolean;
  /** The window with the fewest requests left (the one clients should watch). */
  window: Window;
  /** Requests left in that window now (after this one, when allowed). */
  remaining: number;
  /** Refused: µs until a request would be allowed. 0 when allowed. */
  retryAfterUs: number;
  /** µs until that window's bucket is full again. */
  resetUs: number;
}

/** µs between two requests at the window's sustained rate (may be fractional). */
export const intervalUs = (window: Window) => (window.windowMs * 1000) / window.quota;

/**
 * One request against `tats` (the stored TAT per window, µs; absent = full bucket) at `nowUs`.
 * Returns the decision and, when allowed, the new TATs to store; refused requests store nothing.
 */
export function gcraStep(
  windows: readonly Window[],
  tats: readonly (number | undefined)[],
  nowUs: number,
): { result: GcraResult; tats?: number[] } {
  const next: number[] = [];
  let retryAfterUs = 0;
  let binding = 0;
  let fewest = Number.POSITIVE_INFINITY;
  let resetUs = 0;
  windows.forEach((window, i) => {
    const t = intervalUs(window);
    const limit = window.capacity * t;
    const newTat = Math.max(tats[i] ?? nowUs, nowUs) + t;
    const over = newTat - nowUs - limit;
    if (over > 0) retryAfterUs = Math.max(retryAfterUs, over);
    const used = over > 0 ? newTat - t - nowUs : newTat - nowUs;
    const remaining = Math.max(0, Math.floor((limit - used) / t));
    next.push(newTat);
    if (remaining < fewest) {
      fewest = remaining;
      binding = i;
      resetUs = Math.max(0, used);
    }
  });
  const window = windows[binding] as Window;
  const allowed = retryAfterUs === 0;
  const result = { allowed, window, remaining: allowed ? fewest : 0, retryAfterUs, resetUs };
  return allowed ? { result, tats: next } : { result };
}

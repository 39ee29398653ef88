/**
 * Calls `log` at most once per `intervalMs`, telling it how many calls were dropped since the
 * last one: for log lines an attacker or a flapping dependency could otherwise repeat per request.
 */
export function rateLimited<T>(
  intervalMs: number,
  log: (value: T, suppressed: number) => void,
): (value: T) => void {
  let last = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (value) => {
    const now = Date.now();
    if (now - last < intervalMs) {
      suppressed++;
      return;
    }
    log(value, suppressed);
    last = now;
    suppressed = 0;
  };
}

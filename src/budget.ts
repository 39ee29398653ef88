/** What {@link withinBudget} gives when the budget ran out first. */
export const OVER_BUDGET: unique symbol = Symbol("over budget");

/**
 * `work`'s value, or {@link OVER_BUDGET} once `budgetMs` has passed without it (the work goes
 * on, its late answer ignored). Rejects as `work` does. The one deadline race of the project:
 * the calls to Redis on the Check path (the shared cache, the rate-limit buckets), the first
 * revocation load at start, the decision log's closing.
 *
 * The deadline is called only after the I/O that is already waiting has been read (the timer
 * hands over to `setImmediate`, which runs after the event loop's poll phase): on a busy loop
 * the timer can fire in the same turn that reads an answer Redis sent in time, and that answer
 * is not Redis being slow. One promise and one timer per call, no `Promise.race`.
 */
export function withinBudget<T>(
  work: Promise<T>,
  budgetMs: number,
): Promise<T | typeof OVER_BUDGET> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => setImmediate(resolve, OVER_BUDGET), budgetMs);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** What {@link withinBudget} gives when the budget ran out first. */
export const OVER_BUDGET: unique symbol = Symbol("over budget");

/**
 * `work`'s value, or {@link OVER_BUDGET} once `budgetMs` has passed without it (the work goes
 * on, its late answer ignored). Rejects as `work` does. The one deadline race of the project:
 * the calls to Redis on the Check path (the shared cache, the rate-limit buckets), the first
 * revocation load at start, the decision log's closing.
 */
export async function withinBudget<T>(
  work: Promise<T>,
  budgetMs: number,
): Promise<T | typeof OVER_BUDGET> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof OVER_BUDGET>((resolve) => {
    timer = setTimeout(() => resolve(OVER_BUDGET), budgetMs);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

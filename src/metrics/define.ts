import { Counter, Gauge, type Registry } from "prom-client";

/** How the supervisor folds the workers' values of a gauge into one scrape. */
export type GaugeAggregator = "sum" | "min" | "max" | "first";

/** Makes `openclaw_authz_*` metrics on one registry. */
export function definer(registry: Registry) {
  return {
    /** A counter; `series` start at zero. */
    counter(
      name: string,
      help: string,
      labelNames: string[] = [],
      series: ReadonlyArray<Record<string, string>> = [],
    ) {
      const metric = new Counter({
        name: `openclaw_authz_${name}`,
        help,
        labelNames,
        registers: [registry],
      });
      for (const labels of series) metric.inc(labels, 0);
      return metric;
    },
    /** A gauge; `collect` sets it when scraped. */
    gauge(
      name: string,
      help: string,
      aggregator: GaugeAggregator,
      labelNames: string[] = [],
      collect?: (this: Gauge) => void,
    ) {
      return new Gauge({
        name: `openclaw_authz_${name}`,
        help,
        labelNames,
        aggregator,
        registers: [registry],
        ...(collect ? { collect } : {}),
      });
    },
  };
}

/** What {@link definer} returns. */
export type Define = ReturnType<typeof definer>;

/** Label sets `{[name]: value}` for each value, to start at zero. */
export const each = (name: string, values: readonly string[]) =>
  values.map((value) => ({ [name]: value }));

/**
 * A counter's child for a label set, bound once per set and kept: prom-client hashes the labels
 * on every `inc(labels)`, which the Check path would pay per check. For label values from a
 * closed set (outcomes, codes), never from a request.
 */
export function boundChildren<T extends string>(counter: Counter<T>) {
  const children = new Map<string, ReturnType<Counter<T>["labels"]>>();
  return (labels: Record<T, string>) => {
    const key = Object.values(labels).join("\u0000");
    let child = children.get(key);
    if (!child) {
      child = counter.labels(labels as Parameters<Counter<T>["labels"]>[0]);
      children.set(key, child);
    }
    return child;
  };
}

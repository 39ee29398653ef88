import type { Cluster, Worker } from "node:cluster";
import { AggregatorRegistry, type Registry } from "prom-client";

/** What `GET /metrics` serves: a registry, or the sum over a cluster's workers. */
export interface ClusterScrape {
  metrics(): Promise<string>;
  readonly contentType: string;
}

const SCRAPE = "openclaw-authz:scrape";
const SCRAPED = "openclaw-authz:scraped";

interface ScrapeRequest {
  type: typeof SCRAPE;
  id: number;
}
interface ScrapeAnswer {
  type: typeof SCRAPED;
  id: number;
  text?: string;
  error?: string;
}

/** The IPC channel of a cluster worker to its supervisor (`process` in a worker). */
export interface WorkerChannel {
  send?(message: unknown): boolean;
  on(event: "message", listener: (message: unknown) => void): unknown;
}

/**
 * In the supervisor (`server.workers` > 1): each worker's scrape request is answered with every
 * worker's metrics folded into one (prom-client's `AggregatorRegistry`: counters and histograms
 * summed, gauges by the aggregator each declares), so one scrape of the shared admin port, which
 * lands on any one worker, sees the whole pod.
 */
export function aggregateWorkerMetrics(cluster: Pick<Cluster, "on">): void {
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker: Worker, message: unknown) => {
    if ((message as ScrapeRequest | undefined)?.type !== SCRAPE) return;
    const { id } = message as ScrapeRequest;
    const answer = (fields: Partial<ScrapeAnswer>) => {
      if (worker.isConnected()) worker.send({ type: SCRAPED, id, ...fields });
    };
    aggregator.clusterMetrics().then(
      (text) => answer({ text }),
      (error: Error) => answer({ error: error.message }),
    );
  });
}

/**
 * In a worker: `registry` is what this worker contributes to the supervisor's aggregation, and
 * the returned scrape asks the supervisor for the sum over all workers (rejecting when the
 * supervisor does not answer within 10 s; prom-client gives up on a silent worker after 5 s).
 */
export function workerScrape(registry: Registry, channel: WorkerChannel): ClusterScrape {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one in a worker is what makes prom-client answer the supervisor's requests.
  new AggregatorRegistry();
  let next = 0;
  const pending = new Map<number, (answer: ScrapeAnswer) => void>();
  channel.on("message", (message) => {
    const answer = message as ScrapeAnswer | undefined;
    if (answer?.type === SCRAPED) pending.get(answer.id)?.(answer);
  });
  return {
    contentType: registry.contentType,
    metrics() {
      const id = next++;
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => settle({ type: SCRAPED, id, error: "timed out" }), 10_000);
        const settle = (answer: ScrapeAnswer) => {
          clearTimeout(timer);
          pending.delete(id);
          if (answer.text !== undefined) resolve(answer.text);
          else reject(new Error(`cluster metrics: ${answer.error ?? "no answer"}`));
        };
        pending.set(id, settle);
        channel.send?.({ type: SCRAPE, id } satisfies ScrapeRequest);
      });
    },
  };
}

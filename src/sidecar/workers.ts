import cluster from "node:cluster";
import { rm } from "node:fs/promises";
import type { Logger } from "pino";

/**
 * With `server.workers` > 1, the first process only supervises: it forks the workers (each a
 * full sidecar with its own wasm instance and caches; the listening sockets are shared by the
 * cluster module), replaces a worker that dies, and on SIGTERM/SIGINT passes the signal on and
 * exits 0 once every worker has drained. Resolves when the workers are started.
 */
export async function supervise(count: number, grpcAddress: string, logger: Logger): Promise<void> {
  // Workers must not remove the socket a sibling is serving on; the supervisor clears a stale one.
  if (grpcAddress.startsWith("unix://"))
    await rm(grpcAddress.slice("unix://".length), { force: true });
  // One scrape of the shared admin port answers for every worker (metrics/cluster.ts).
  const { aggregateWorkerMetrics } = await import("../metrics/index.js");
  aggregateWorkerMetrics(cluster);
  let stopping = false;
  for (let i = 0; i < count; i++) cluster.fork();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    logger.error({ worker: worker.id, code, signal }, "worker died; starting another");
    cluster.fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: count }, "stopping workers");
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

/** True in a worker forked by {@link supervise}. */
export const isWorker = () => cluster.isWorker;

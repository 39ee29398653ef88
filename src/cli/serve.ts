import pino, { type Logger } from "pino";
import type { Config } from "../config/index.js";
import { isWorker, supervise } from "../sidecar/workers.js";
import { VERSION } from "../version.js";

/**
 * `openclaw-authz serve`: loads the policy, serves Check, health and reflection on
 * `listen.grpc` and the admin endpoints on `listen.admin`. Without a loadable policy it still
 * starts, answers every Check with a deny and reports not ready. SIGTERM drains and exits 0.
 * With `server.workers` > 1 this process supervises that many such sidecars sharing the ports.
 */
export async function serve(config: Config): Promise<void> {
  const logger: Logger = pino(
    {
      level: config.log.level,
      base: { pid: process.pid, service: "openclaw-authz", version: VERSION },
    },
    pino.destination(2),
  );
  if (config.server.workers > 1 && !isWorker())
    return supervise(config.server.workers, config.listen.grpc, logger);
  // The serving stack loads here, never in a supervisor, which stays a small process.
  const { runSidecar } = await import("../sidecar/sidecar.js");
  return runSidecar(config, logger);
}

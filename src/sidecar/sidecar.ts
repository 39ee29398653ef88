import { readFile } from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";
import { getHeapStatistics } from "node:v8";
import pino, { type Logger } from "pino";
import type { Message } from "protobufjs";
import { systemClock } from "../clock.js";
import type { Config } from "../config/index.js";
import { createMetrics, workerScrape } from "../metrics/index.js";
import { rateLimited } from "../rate-limited.js";
import { COMMIT, OPA_WASM_VERSION, VERSION } from "../version.js";
import { openDecisionLog } from "./decision-log.js";
import { openPolicy } from "./policy.js";
import { openRedis } from "./redis.js";
import { isWorker } from "./workers.js";

/**
 * One sidecar: loads the policy, serves Check, health and reflection on `listen.grpc` and the
 * admin endpoints on `listen.admin`; SIGTERM drains and exits 0.
 */
export async function runSidecar(config: Config, logger: Logger): Promise<void> {
  warnIfHeapIsTight(config, logger);
  const metrics = createMetrics(
    { clock: systemClock },
    { build: { version: VERSION, commit: COMMIT, opaWasm: OPA_WASM_VERSION } },
  );
  // Health follows the policy: SERVING from the first good bundle on (set once gRPC is up).
  let setServing = (_serving: boolean) => {};
  // The bundle is read and compiled, and the evaluation threads start, while this thread loads
  // the serving modules (grpc-js, protobufjs, the protos: about half of start-up) below.
  const opening = openPolicy(config, {
    logger,
    watch: true,
    events: {
      loaded: (engine) => {
        metrics.policyLoaded(engine.revision);
        setServing(true);
      },
      refused: (error) => metrics.bundleRefused(error.missingBuiltins),
      sourceReached: () => metrics.bundleSourceReached(),
      threadReplaced: (reason) => metrics.threadReplaced(reason),
    },
  });
  // Awaited below; until then a failure to open (a missing token file) must not be an unhandled
  // rejection, which would end the process with a stack trace before `serve` reports it.
  opening.catch(() => {});
  const [
    { DESCRIPTOR_SET, prepareReflection, startGrpcServer },
    { startAdminServer },
    { createPipeline },
  ] = await Promise.all([
    import("../grpc/index.js"),
    import("../admin/index.js"),
    import("./pipeline.js"),
  ]);
  const decisionLog = await openDecisionLog(config, metrics, logger);
  const tracing = await openTracing(config, logger);
  // ioredis reports every failed reconnect; one line per 10 s is enough.
  const logRedisError = rateLimited(10_000, (error: Error, suppressed: number) =>
    logger.warn({ err: error.message, suppressed }, "redis connection error; reconnecting"),
  );
  const redis = config.cache.redis
    ? await openRedis(config.cache.redis, logger, (error) => {
        metrics.countRedisFailure("connection", "error");
        logRedisError(error);
      })
    : undefined;
  // The pipeline (protos, key sets, trust bundles) is built while the policy still opens; no
  // Check reaches it before the gRPC server starts, after the policy has opened.
  let store: Awaited<typeof opening>["store"] | undefined;
  const pipeline = await createPipeline(config, {
    policies: { current: () => store?.current() },
    decisionLog: decisionLog.log,
    metrics,
    logger,
    fetch: globalThis.fetch,
    ...(redis ? { redis } : {}),
    ...(tracing ? { tracer: tracing } : {}),
  });
  // Reflection's library loads on the first reflection call (reflection.ts); its descriptors are
  // read now, so that a build without them says so at start.
  const reflection = readFile(DESCRIPTOR_SET).then(prepareReflection, () => {
    logger.warn(
      { path: DESCRIPTOR_SET },
      "no compiled descriptor set: server reflection is off (run scripts/setup)",
    );
    return undefined;
  });
  reflection.catch(() => {}); // reported by the gRPC server once it has one to add it to
  const policy = await opening;
  store = policy.store;
  const serving = () => policy.store.current();
  const grpcServer = await startGrpcServer(
    {
      protos: pipeline.protos,
      authorizer: pipeline.authorizer,
      onRejected: (reason) => metrics.countRejected(reason),
      onReflectionError: (error) =>
        logger.warn({ err: error.message }, "server reflection is off: it could not be added"),
      onCheckCall: (grpcCode) => metrics.countCheckCall(grpcCode),
    },
    {
      address: config.listen.grpc,
      ...(config.listen.probe ? { probeAddress: config.listen.probe } : {}),
      maxRequestBytes: config.server.maxRequestBytes,
      receiveTimeoutMs: config.server.receiveTimeout,
      maxBufferedBytes: config.server.maxBufferedBytes,
      maxConcurrentStreams: config.server.maxConcurrentStreams,
      maxSessionMemoryMiB: config.server.maxSessionMemoryMiB,
      reflection,
    },
  );
  setServing = (value) => grpcServer.setServing(value);
  setServing(serving() !== undefined);
  const admin = await startAdminServer(
    {
      // With workers, any one of them takes the scrape and answers for all.
      registry: isWorker() ? workerScrape(metrics.registry, process) : metrics.registry,
      isReady: () => serving() !== undefined && pipeline.identity.ready(),
      status: () => ({ policy: policy.store.status(), identityReady: pipeline.identity.ready() }),
    },
    config.listen.admin,
  );
  // Check and health answer from here on; the line waits for reflection to be added too.
  await grpcServer.reflection;
  logger.info(
    {
      grpc: grpcServer.address,
      admin: admin.address,
      revision: serving()?.revision,
      decision: config.policy.decision,
    },
    "serving",
  );
  onShutdownSignal(logger, async () => {
    grpcServer.setServing(false);
    await grpcServer.shutdown(config.server.shutdownGrace);
    await admin.close();
    pipeline.close();
    policy.close();
    await redis?.close();
    await decisionLog.log.flush(config.decisionLog.flushDeadline);
    await decisionLog.close(config.decisionLog.flushDeadline);
    // Spans still batched go out too, but a trace backend that is down does not hold the exit.
    if (tracing) await Promise.race([tracing.close(), delay(config.decisionLog.flushDeadline)]);
    logger.info("stopped");
  });
}

/** The Check tracer when `tracing.endpoint` is set; the SDK is only loaded then. */
async function openTracing(config: Config, logger: Logger) {
  const { endpoint, sampleRatio, serviceName } = config.tracing;
  if (!endpoint) return undefined;
  const { createCheckTracer } = await import("../tracing/index.js");
  const warn = rateLimited(10_000, (error: Error, suppressed: number) =>
    logger.warn({ err: error.message, suppressed }, "span export failed; spans are dropped"),
  );
  return createCheckTracer<Message>(
    { onError: (error) => warn(error) },
    { endpoint, sampleRatio, serviceName, serviceVersion: VERSION },
  );
}

function onShutdownSignal(logger: Logger, stop: () => Promise<void>) {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "draining in-flight checks");
    stop().then(
      () => exitAfterLog(logger, 0),
      (error: Error) => {
        logger.error({ err: error.message }, "shutdown failed");
        exitAfterLog(logger, 1);
      },
    );
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}

/**
 * Exits with `code` once the operational log has written its last lines (or failed to), or after
 * a second. The log's destination is destroyed first: a reader of stderr that is gone (EPIPE) or
 * stuck must not keep the process alive, and pino's exit hook would flush it synchronously, where
 * SonicBoom retries a failing write forever.
 */
function exitAfterLog(logger: Logger, code: number): void {
  // The destination (SonicBoom); pino's exit hook leaves a destroyed one alone.
  const stream = (logger as unknown as Record<symbol, { destroy(): void } | undefined>)[
    pino.symbols.streamSym
  ];
  const exit = () => {
    stream?.destroy();
    process.exit(code);
  };
  setTimeout(exit, 1_000);
  logger.flush(exit);
}

/** The decision cache lives in the V8 heap; a cache bound near the heap limit ends in GC thrash. */
function warnIfHeapIsTight(config: Config, logger: Logger) {
  const heapLimit = getHeapStatistics().heap_size_limit;
  if (!config.cache.enabled || config.cache.maxBytes <= heapLimit / 4) return;
  logger.warn(
    {
      heap_limit_mib: Math.round(heapLimit / 2 ** 20),
      cache_max_mib: Math.round(config.cache.maxBytes / 2 ** 20),
    },
    "cache.maxBytes is over a quarter of the heap limit: raise --max-old-space-size (NODE_OPTIONS) or lower cache.maxBytes",
  );
}

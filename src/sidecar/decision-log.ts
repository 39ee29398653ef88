import cluster from "node:cluster";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import pino, { type Logger } from "pino";
import { OVER_BUDGET, withinBudget } from "../budget.js";
import type { Config } from "../config/index.js";
import {
  createConsoleWriter,
  createDecisionLog,
  createMasker,
  createQueuedSink,
  createRedisStreamWriter,
  createRemoteWriter,
  DEFAULT_ERASE,
  type DecisionLog,
  openSpill,
  type QueuedSink,
  type SinkEvents,
  type SinkWriter,
} from "../decision-log/index.js";
import { AuthzError } from "../errors.js";
import type { AuthzMetrics } from "../metrics/index.js";
import { rateLimited } from "../rate-limited.js";
import { VERSION } from "../version.js";
import { type OpenedChain, openChain } from "./decision-chain.js";
import { redisClient } from "./redis.js";

/**
 * Opens the configured decision-log sinks (console, Redis Stream, OPA remote), each behind its
 * own bounded queue, with metrics and a rate-limited warning for failures and drops; and the
 * chain (`decisionLog.chain`), whose `gap` events report what a sink dropped.
 */
export async function openDecisionLog(
  config: Config,
  metrics: AuthzMetrics,
  logger: Logger,
): Promise<{ log: DecisionLog; close(deadlineMs: number): Promise<void> }> {
  const settings = config.decisionLog;
  const warn = rateLimited(
    10_000,
    (event: { sink: string; problem: string; err?: string }, suppressed: number) =>
      logger.warn({ ...event, suppressed }, "decision log sink is behind; events may be dropped"),
  );
  let chain: OpenedChain | undefined;
  const events: SinkEvents = {
    written: (sink, count, lines) => {
      metrics.decisionLog.written(sink, count);
      chain?.written(sink, lines);
    },
    dropped: (sink, count, lines) => {
      metrics.decisionLog.dropped(sink, count);
      if (lines) chain?.dropped(sink, lines);
      warn({ sink, problem: `dropped ${count}` });
    },
    failed: (sink, error) => {
      metrics.decisionLog.failed(sink);
      warn({ sink, problem: "write failed", err: error.message });
    },
  };
  const closers: Array<() => Promise<void> | void> = [];
  /** What to drop when the closers are not done by the deadline. */
  const abandon: Array<() => void> = [];
  const sinks: QueuedSink[] = [];
  const queue = (
    writer: SinkWriter,
    options: { maxBatch: number; timeoutMs: number; batchDelayMs: number },
  ) => {
    metrics.decisionLog.opened(writer.name);
    const spill = settings.durability === "audit" ? spillOf(settings, writer.name) : undefined;
    return sinks.push(
      createQueuedSink(
        { writer, events, ...(spill ? { spill } : {}) },
        { maxEvents: settings.queueSize, retryMs: 250, ...options },
      ),
    );
  };
  if (settings.console) {
    const stdout = pino.destination({ dest: 1, sync: false });
    // end(), not flushSync(): a synchronous flush while an asynchronous write is still in
    // flight writes the buffered lines in the middle of it, and a full pipe makes it spin.
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          stdout.once("close", resolve);
          stdout.end();
        }),
    );
    // A reader of stdout that is gone or stuck past the deadline: destroyed, so pino's exit hook
    // does not flush it synchronously (SonicBoom retries a failing synchronous write forever).
    abandon.push(() => stdout.destroy());
    queue(createConsoleWriter({ stream: stdout }), {
      maxBatch: 100,
      timeoutMs: 5_000,
      batchDelayMs: 0,
    });
  }
  let streamRedis: Awaited<ReturnType<typeof redisClient>> | undefined;
  if (settings.redisStream) {
    const { stream, maxLen, timeout } = settings.redisStream;
    const redis = await redisClient(settings.redisStream, {
      commandTimeoutMs: timeout,
      onError: (error) => warn({ sink: "redis", problem: "connection", err: error.message }),
    });
    // The chain's claim goes first: the next run on this host may then continue the chain.
    closers.push(async () => {
      await chain?.release();
      redis.disconnect();
    });
    streamRedis = redis;
    queue(createRedisStreamWriter({ redis }, { stream, maxLen }), {
      maxBatch: 500,
      timeoutMs: timeout,
      batchDelayMs: 0,
    });
  }
  if (settings.remote) {
    const { url, maxBatch, timeout, batchDelay } = settings.remote;
    const token = await bearerToken(settings.remote);
    queue(createRemoteWriter({ fetch: globalThis.fetch }, { url, ...(token ? { token } : {}) }), {
      maxBatch,
      timeoutMs: timeout,
      batchDelayMs: batchDelay,
    });
  }
  // decisionLog.labels, and ours, which they cannot replace: on every event and control event.
  const labels = { ...settings.labels, id: randomUUID(), version: VERSION };
  chain = await openChain(config, labels, {
    ...(streamRedis ? { redis: streamRedis } : {}),
    onError: (error) => logger.warn({ err: error.message }, "decision log chain problem"),
  });
  const log = createDecisionLog(
    {
      sinks,
      ...(chain ? { chain: chain.chain } : {}),
      onError: (error) => {
        metrics.decisionLog.dropped("all", 1);
        warn({ sink: "all", problem: "event could not be built", err: error.message });
      },
    },
    {
      path: config.policy.decision,
      labels,
      masks: createMasker({
        erase: [...DEFAULT_ERASE, ...settings.erase],
        mask: settings.mask,
        // The configured credential headers are secrets whatever they are called.
        secretNames: [
          ...settings.secretNames,
          ...[config.identity.jwt?.header, config.identity.trustedProxy?.header].filter(
            (header): header is string => header !== undefined,
          ),
        ],
      }),
    },
  );
  if (chain) {
    for (const sink of sinks) sink.push(chain.chain.segmentStart);
    chain.start(log);
    closers.push(() => chain?.close());
  }
  return {
    log,
    /** Closes the sinks, waiting up to `deadlineMs` for stdout to take what it buffered. */
    close: async (deadlineMs) => {
      const closed = Promise.all(closers.map((close) => close()));
      if ((await withinBudget(closed, deadlineMs)) === OVER_BUDGET)
        for (const stop of abandon) stop();
    },
  };
}

/**
 * The spill of one sink (`durability: audit`): `<spill.dir>/<sink>`, `<sink>.w<id>` per worker
 * (`server.workers` > 1). Throws AuthzError when the directory cannot be used.
 */
function spillOf(settings: Config["decisionLog"], sink: string) {
  const spill = settings.spill;
  if (!spill) return undefined;
  const worker = cluster.worker ? `.w${cluster.worker.id}` : "";
  try {
    return openSpill({
      dir: join(spill.dir, `${sink}${worker}`),
      maxBytes: spill.maxBytes,
      syncIntervalMs: spill.syncInterval,
    });
  } catch (error) {
    throw new AuthzError("file_unreadable", `decisionLog.spill.dir: ${(error as Error).message}`);
  }
}

async function bearerToken(remote: {
  token?: string;
  tokenFile?: string;
}): Promise<string | undefined> {
  if (!remote.tokenFile) return remote.token;
  try {
    return (await readFile(remote.tokenFile, "utf8")).trim();
  } catch (error) {
    throw new AuthzError(
      "file_unreadable",
      `decisionLog.remote.tokenFile: ${(error as Error).message}`,
    );
  }
}

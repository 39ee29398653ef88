import type { Logger } from "pino";
import type { Message } from "protobufjs";
import {
  type Authorizer,
  type AuthzSteps,
  type CheckTracer,
  createAuthorizer,
  type DecisionSink,
} from "../authz/index.js";
import {
  createCacheKey,
  createDecisionCache,
  createRedisDecisionStore,
  type DecisionCache,
  type RedisFailure,
} from "../cache/index.js";
import { systemClock } from "../clock.js";
import type { Config } from "../config/index.js";
import type { DecisionLog } from "../decision-log/index.js";
import type { Fetch } from "../fetch.js";
import { loadProtos, type Protos } from "../grpc/index.js";
import { createIdentityVerifier, type IdentityVerifier } from "../identity/index.js";
import { createInputBuilder } from "../input/index.js";
import type { AuthzMetrics } from "../metrics/index.js";
import type { PolicyEngine } from "../policy/index.js";
import { rateLimited } from "../rate-limited.js";
import {
  createRevocationList,
  followRedisRevocations,
  followRevocationFile,
} from "../revocation/index.js";
import { checkRequestContext } from "../tracing/index.js";
import { createRateLimit } from "./rate-limit.js";
import type { RedisConnections } from "./redis.js";

/** The decision pipeline and what it was built from; shared by `serve` and `check`. */
export interface Pipeline {
  protos: Protos;
  authorizer: Authorizer<Message>;
  /** The steps the authorizer drives (the bench times each on its own). */
  steps: AuthzSteps<Message>;
  identity: IdentityVerifier;
  /** Stops the background watchers and key refreshes. */
  close(): void;
}

const CALLER_ERRORS = new Set(["request_parse_error", "identity_invalid"]);

/**
 * The Check steps built from the config and handed to the authorizer: the input builder, the
 * identity verifier, the revocation list, the read cache, the policy store and the decision sink
 * (decision log, metrics, operational warnings). Loads the identity key sources and trust bundles
 * first.
 */
export async function createPipeline(
  config: Config,
  deps: {
    /** The policy serving now (a store that hot-reloads). */
    policies: { current(): PolicyEngine | undefined };
    decisionLog?: DecisionLog;
    metrics?: AuthzMetrics;
    logger: Logger;
    fetch: Fetch;
    redis?: Pick<RedisConnections, "commands" | "subscriber">;
    /** Already loaded protos (`check` needs them before the pipeline exists). */
    protos?: Protos;
    /** Spans for each Check, when `tracing.endpoint` is set. */
    tracer?: CheckTracer<Message>;
  },
): Promise<Pipeline> {
  const protos = deps.protos ?? loadProtos();
  const identity = await createIdentityVerifier(
    {
      fetch: deps.fetch,
      clock: systemClock,
      onSourceError: (source, error, serving) =>
        deps.logger.warn(
          { source, err: error.message },
          serving
            ? "identity source failed; last good keys keep serving"
            : "identity source failed; nothing loaded from it yet, so its credentials are denied",
        ),
    },
    config.identity,
  );
  deps.metrics?.observeKeySets(() => identity.keySets());
  const redisFailure = redisFailureReporter(deps);
  const cache = createCache(config, deps, redisFailure);
  const revocations = await followRevocations(config, deps, redisFailure, () => cache?.clear());
  const rateLimit = createRateLimit(config, {
    ...(deps.redis ? { redis: deps.redis.commands } : {}),
    onFailure: (failure, error) => redisFailure("ratelimit")(failure as RedisFailure, error),
  });
  const steps: AuthzSteps<Message> = {
    input: createInputBuilder(protos.checkRequest, {
      ...config.policy,
      credentialHeaders: identity.credentialHeaders,
    }),
    identity,
    revocations: revocations.list,
    ...(cache ? { cache } : {}),
    policies: deps.policies,
    ...(rateLimit ? { rateLimit } : {}),
    decisions: decisionSink(deps),
    clock: systemClock,
    ...(deps.tracer ? { tracer: deps.tracer } : {}),
    requestContext: checkRequestContext,
  };
  const authorizer = createAuthorizer(steps, { dryRun: config.policy.dryRun });
  return {
    protos,
    authorizer,
    steps,
    identity,
    close: () => {
      identity.close();
      revocations.close();
    },
  };
}

type PipelineDeps = Parameters<typeof createPipeline>[1];

/** Each finished decision: to the decision log and metrics, and faults on our side to the log. */
function decisionSink(deps: PipelineDeps): DecisionSink {
  const warnSuspicious = rateLimited(10_000, (events: string[], suppressed: number) =>
    deps.logger.warn({ events, suppressed }, "suspicious request"),
  );
  return {
    record(record, response) {
      deps.decisionLog?.log(record, response);
      deps.metrics?.observeDecision(record);
      for (const verdict of record.rateLimits ?? []) deps.metrics?.countRateLimit(verdict);
      if (record.suspicious) {
        deps.metrics?.countSuspicious();
        warnSuspicious(record.suspicious);
      }
      // Invalid credentials and unparsable requests are the caller's doing: the decision log
      // has them; the operational log is for faults on our side.
      if (record.error && !CALLER_ERRORS.has(record.error.code)) {
        deps.logger.warn(
          { decision_id: record.decisionId, code: record.error.code, err: record.error.message },
          "check failed closed",
        );
      }
    },
  };
}
type RedisReporter = (purpose: string) => (failure: RedisFailure, error?: Error) => void;

/** The read-decision cache, local and optionally shared through Redis. */
function createCache(
  config: Config,
  deps: PipelineDeps,
  redisFailure: RedisReporter,
): DecisionCache | undefined {
  if (!config.cache.enabled) return undefined;
  const redis = config.cache.redis;
  const shared =
    deps.redis && redis?.shareDecisions
      ? createRedisDecisionStore(
          { redis: deps.redis.commands, onFailure: redisFailure("cache") },
          { prefix: redis.keyPrefix, budgetMs: redis.budget },
        )
      : undefined;
  const cache = createDecisionCache(
    {
      key: createCacheKey(config.cache.ignore),
      clock: systemClock,
      ...(shared ? { shared } : {}),
      events: deps.metrics?.cache ?? { hit() {}, miss() {}, evicted() {} },
    },
    {
      ttlMs: config.cache.ttl,
      maxEntries: config.cache.maxEntries,
      maxBytes: config.cache.maxBytes,
      methods: config.cache.methods,
    },
  );
  deps.metrics?.observeCacheSize(() => cache.size());
  return cache;
}

/**
 * On Redis Cluster, how often the revocations are read again: the most a revocation published
 * while this sidecar's subscription moves to another node (its node failed) can be late.
 */
const CLUSTER_REVOCATION_RESYNC_MS = 5_000;

/** Revocations from Redis (hash + pub/sub) or, without Redis, from `identity.revocationFile`. */
async function followRevocations(
  config: Config,
  deps: PipelineDeps,
  redisFailure: RedisReporter,
  dropCache: () => void,
) {
  const list = createRevocationList({
    clock: systemClock,
    onChange: () => {
      dropCache();
      deps.metrics?.countRevocation();
    },
  });
  const prefix = config.cache.redis?.keyPrefix ?? "openclaw-authz:";
  if (deps.redis) {
    const onError = (error: Error) => redisFailure("revocation")("error", error);
    const followed = await followRedisRevocations(
      {
        list,
        redis: deps.redis.commands,
        subscriber: deps.redis.subscriber,
        clock: systemClock,
        onError,
      },
      {
        prefix,
        startTimeoutMs: config.cache.redis?.connectTimeout ?? 1_000,
        ...(config.cache.redis?.cluster ? { resyncIntervalMs: CLUSTER_REVOCATION_RESYNC_MS } : {}),
      },
    );
    return { list, close: followed.close };
  }
  const file = config.identity.revocationFile;
  if (!file) return { list, close: () => {} };
  const watched = await followRevocationFile(
    {
      list,
      onError: (error) =>
        deps.logger.warn(
          { file, err: error.message },
          "revocation file unreadable; last list keeps applying",
        ),
    },
    { path: file, intervalMs: config.identity.fileRefreshInterval },
  );
  return { list, close: watched.close };
}

/** Counts every Redis failure by purpose; logs them at most once per 10 s. */
function redisFailureReporter(deps: PipelineDeps): RedisReporter {
  const log = rateLimited(
    10_000,
    (event: { purpose: string; failure: string; err?: string }, suppressed: number) =>
      deps.logger.warn({ ...event, suppressed }, "redis unavailable; deciding locally"),
  );
  return (purpose) => (failure, error) => {
    deps.metrics?.countRedisFailure(purpose, failure);
    log({ purpose, failure, ...(error ? { err: error.message } : {}) });
  };
}

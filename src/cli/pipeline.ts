import type { Logger } from "pino";
import { type Authorizer, type Clock, createAuthorizer } from "../authz/index.js";
import type { Config } from "../config/index.js";
import { createDecisionLog, type DecisionSink } from "../decision-log/index.js";
import { AuthzError } from "../errors.js";
import { loadProtos, type Protos } from "../grpc/index.js";
import { createIdentityVerifier, type Fetch, type IdentityVerifier } from "../identity/index.js";
import { stringifyJson, toInput } from "../input/index.js";
import type { AuthzMetrics } from "../metrics/index.js";
import { createWasmPolicy, type PolicyEngine, readBundle } from "../policy/index.js";
import { VERSION } from "../version.js";

/** The decision pipeline and what it was built from; shared by `serve` and `check`. */
export interface Pipeline {
  protos: Protos;
  authorizer: Authorizer;
  identity: IdentityVerifier;
}

const CALLER_ERRORS = new Set(["request_parse_error", "identity_invalid"]);

/** Calls `log` at most once per `intervalMs`, telling it how many calls were dropped since. */
function rateLimited<T>(
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

/** The clock of the real process. */
export const systemClock: Clock = { now: () => new Date(), nowNs: () => process.hrtime.bigint() };

/**
 * Loads the configured bundle. Throws `AuthzError("bundle_invalid")` when it cannot be read or
 * instantiated, or when `policy.bundle` is not set.
 */
export async function loadPolicy(config: Config): Promise<PolicyEngine> {
  if (!config.policy.bundle)
    throw new AuthzError("bundle_invalid", "policy.bundle is not configured");
  const bundle = await readBundle(config.policy.bundle);
  return createWasmPolicy(bundle, {
    decision: config.policy.decision,
    maxMemoryPages: config.policy.maxMemoryPages,
  });
}

/**
 * Wires `toInput → verifyIdentity → evaluate → toCheckResponse` with the decision log and
 * metrics. Loads the identity key sources and trust bundles first.
 */
export async function createPipeline(
  config: Config,
  deps: {
    policy: PolicyEngine | undefined;
    sinks: DecisionSink[];
    metrics?: AuthzMetrics;
    logger: Logger;
    fetch: Fetch;
  },
): Promise<Pipeline> {
  const protos = loadProtos();
  const identity = await createIdentityVerifier(
    {
      fetch: deps.fetch,
      now: () => new Date(),
      onSourceError: (source, error) =>
        deps.logger.warn(
          { source, err: error.message },
          "identity source failed; last good keys keep serving",
        ),
    },
    config.identity,
  );
  const decisionLog = createDecisionLog(deps.sinks, {
    path: config.policy.decision,
    labels: { id: `${process.pid}`, version: VERSION },
  });
  const encoder = new TextEncoder();
  const warnSuspicious = rateLimited(10_000, (events: string[], suppressed: number) =>
    deps.logger.warn({ events, suppressed }, "suspicious request"),
  );
  const authorizer = createAuthorizer(
    {
      toInput: (request) => toInput(protos.checkRequest, request as never, config.policy),
      verifyIdentity: (input) => identity.verify(input),
      policy: () => deps.policy,
      serializeInput: (input) => encoder.encode(stringifyJson(input)),
      onDecision: (record, response) => {
        decisionLog.log(record, response);
        deps.metrics?.observeDecision(record);
        if (record.suspicious) warnSuspicious(record.suspicious);
        // Invalid credentials and unparsable requests are the caller's doing: the decision log
        // has them; the operational log is for faults on our side.
        if (record.error && !CALLER_ERRORS.has(record.error.code)) {
          deps.logger.warn(
            { decision_id: record.decisionId, code: record.error.code, err: record.error.message },
            "check failed closed",
          );
        }
      },
      clock: systemClock,
    },
    { dryRun: config.policy.dryRun },
  );
  return { protos, authorizer, identity };
}

import { readFile } from "node:fs/promises";
import type { Logger } from "pino";
import { systemClock } from "../clock.js";
import type { Config } from "../config/index.js";
import { AuthzError } from "../errors.js";
import {
  type BundleSource,
  createEvaluationPool,
  createPolicyStore,
  type EvaluationPoolOptions,
  type PolicyEngine,
  type PolicyStore,
  type SigningPolicy,
  watchBundle,
} from "../policy/index.js";

/** What the rest of the process hears about policy changes. */
export interface PolicyEvents {
  loaded(engine: PolicyEngine): void;
  refused(error: AuthzError, revision: string | undefined): void;
  /** An evaluation thread was terminated and replaced. */
  threadReplaced(reason: "deadline" | "died"): void;
  /** The bundle source was read successfully (a new bundle, or none changed since). */
  sourceReached(): void;
}

/**
 * The policy store fed by the configured bundle source: loaded now, then kept current (hot reload
 * with last-known-good). Without `policy.bundle` the store stays empty and every check is denied.
 */
export async function openPolicy(
  config: Config,
  deps: { logger: Logger; events?: Partial<PolicyEvents>; watch: boolean },
): Promise<{ store: PolicyStore; close(): void }> {
  // Files first: a missing one stops the start before any evaluation thread does.
  const signing = await signingPolicy(config);
  const token = await bundleToken(config);
  const pool = createEvaluationPool(poolOptions(config), {
    onError: (error) =>
      deps.logger.error({ err: error.message }, "policy evaluation thread failed; replaced"),
    // Rego print(): the operational log on stderr, never stdout where the decision log is.
    onPrint: (decisionId, line) =>
      deps.logger.info({ decision_id: decisionId, print: line }, "print"),
    onThreadReplaced: (reason) => deps.events?.threadReplaced?.(reason),
  });
  const store = createPolicyStore(
    {
      pool,
      clock: systemClock,
      events: {
        loaded: (engine, origin) => {
          deps.logger.info(
            { revision: engine.revision, policy_id: engine.id, origin },
            "policy loaded",
          );
          deps.events?.loaded?.(engine);
        },
        refused: (error, origin, revision) => {
          deps.logger.error(
            {
              err: error.message,
              refused_revision: revision,
              serving_revision: store.current()?.revision ?? null,
              origin,
            },
            store.current()
              ? "bundle refused; the previous policy keeps serving"
              : "bundle refused; no policy is loaded, so every check is denied",
          );
          deps.events?.refused?.(error, revision);
        },
      },
    },
    { decision: config.policy.decision, ...(signing ? { signing } : {}) },
  );
  if (!config.policy.bundle) {
    deps.logger.error("policy.bundle is not configured: every check is denied");
    return { store, close: () => pool.close() };
  }
  const source: BundleSource = await watchBundle(
    {
      fetch: globalThis.fetch,
      offer: (files, origin) => store.offer(files, origin),
      onError: (error) => store.refuse(error, config.policy.bundle ?? ""),
      onReached: () => deps.events?.sourceReached?.(),
    },
    {
      location: config.policy.bundle,
      intervalMs: config.policy.pollInterval,
      timeoutMs: config.policy.fetchTimeout,
      ...(token ? { token } : {}),
    },
  );
  if (!deps.watch) source.close();
  return {
    store,
    close: () => {
      source.close();
      pool.close();
    },
  };
}

/** The bundle server's bearer token from `policy.tokenFile`. Throws `AuthzError("file_unreadable")`. */
async function bundleToken(config: Config): Promise<string | undefined> {
  if (!config.policy.tokenFile) return undefined;
  try {
    return (await readFile(config.policy.tokenFile, "utf8")).trim();
  } catch (error) {
    throw new AuthzError("file_unreadable", `policy.tokenFile: ${(error as Error).message}`);
  }
}

/** How the configured policy is evaluated: threads, deadline, memory. */
export function poolOptions(config: Config): EvaluationPoolOptions {
  return {
    threads: config.policy.evaluationThreads,
    timeoutMs: config.policy.evaluationTimeout,
    maxMemoryPages: config.policy.maxMemoryPages,
  };
}

async function signingPolicy(config: Config): Promise<SigningPolicy | undefined> {
  const signing = config.policy.signing;
  if (!signing) return undefined;
  try {
    return { ...signing, publicKey: await readFile(signing.publicKey, "utf8") };
  } catch (error) {
    throw new AuthzError(
      "file_unreadable",
      `policy.signing.publicKey: ${(error as Error).message}`,
    );
  }
}

import type { Clock } from "../clock.js";
import { AuthzError, toAuthzError } from "../errors.js";
import { parseBundle } from "./bundle.js";
import type { BundleFiles } from "./bundle-files.js";
import { loadWasmPolicy, type PolicyEngine, policyId, type WasmPolicyOptions } from "./engine.js";
import type { EvaluationPool } from "./evaluation-pool.js";
import type { SigningPolicy } from "./signature.js";

/** What `/status` shows about the policy. */
export interface PolicyStatus {
  serving?: { revision: string; id: string; loadedAt: string; origin: string };
  lastError?: { message: string; revision?: string; origin: string; at: string };
}

/** The serving policy, swapped atomically when a new bundle proves good. */
export interface PolicyStore {
  /** The policy serving now; a check keeps the one it started with. */
  current(): PolicyEngine | undefined;
  status(): PolicyStatus;
  /**
   * Verifies, parses, compiles and instantiates `files` off the request path, then swaps them in.
   * A bundle that fails any step is refused and the previous one, if any, keeps serving. Never
   * throws.
   */
  offer(files: BundleFiles, origin: string): Promise<boolean>;
  /** Records a bundle that could not even be fetched or unpacked (shown in `status`). */
  refuse(error: AuthzError, origin: string): void;
}

/** What the store tells the rest of the sidecar. */
export interface PolicyStoreEvents {
  loaded(engine: PolicyEngine, origin: string): void;
  /**
   * A bundle was refused; the previous policy, if one was loaded, keeps serving. An event, not
   * `onError`: it carries where the bundle came from and the revision it claimed, for the log and
   * `/status`.
   */
  refused(error: AuthzError, origin: string, revision: string | undefined): void;
}

/** What {@link createPolicyStore} works with. */
export interface PolicyStoreDeps {
  /** The evaluation threads every policy of the store runs on (the caller closes it). */
  pool: EvaluationPool;
  events: PolicyStoreEvents;
  /** For `loadedAt` and `at` in {@link PolicyStatus}. */
  clock: Clock;
}

/**
 * How long a replaced policy keeps its threads: a check that took the old policy just before the
 * swap still evaluates on it (a check holds its policy far less than this).
 */
const RETIRE_AFTER_MS = 10_000;

/**
 * The store, empty until a bundle is offered. Nothing of its own to close: its policies run on
 * `deps.pool`, whose `close()` ends them.
 */
export function createPolicyStore(
  deps: PolicyStoreDeps,
  options: WasmPolicyOptions & { signing?: SigningPolicy },
): PolicyStore {
  const { pool, events, clock } = deps;
  let serving: PolicyEngine | undefined;
  let status: PolicyStatus = {};
  let queue: Promise<unknown> = Promise.resolve();

  async function load(files: BundleFiles, origin: string): Promise<boolean> {
    try {
      const bundle = await parseBundle(files, options.signing);
      if (serving && bundle.revision === serving.revision && sameBytes(serving, bundle))
        return true;
      const previous = serving;
      serving = await loadWasmPolicy(bundle, options, pool);
      if (previous) setTimeout(() => previous.close(), RETIRE_AFTER_MS).unref();
      status = {
        ...status,
        serving: {
          revision: serving.revision,
          id: serving.id,
          loadedAt: clock.now().toISOString(),
          origin,
        },
      };
      events.loaded(serving, origin);
      return true;
    } catch (thrown) {
      refuse(
        thrown instanceof AuthzError ? thrown : toAuthzError("bundle_invalid", thrown),
        origin,
        claimedRevision(files),
      );
      return false;
    }
  }

  function refuse(error: AuthzError, origin: string, revision?: string) {
    status = {
      ...status,
      lastError: {
        message: error.message,
        ...(revision ? { revision } : {}),
        origin,
        at: clock.now().toISOString(),
      },
    };
    events.refused(error, origin, revision);
  }

  return {
    current: () => serving,
    status: () => status,
    refuse: (error, origin) => refuse(error, origin),
    offer(files, origin) {
      const result = queue.then(() => load(files, origin));
      queue = result;
      return result;
    },
  };
}

function sameBytes(engine: PolicyEngine, bundle: { wasm: Uint8Array; data: string }): boolean {
  return engine.id === policyId(bundle);
}

/** The revision a refused bundle claims, for the log and `/status`, when its manifest parses. */
function claimedRevision(files: BundleFiles): string | undefined {
  try {
    const revision = (
      JSON.parse(files.get(".manifest")?.toString("utf8") ?? "{}") as { revision?: unknown }
    ).revision;
    return typeof revision === "string" ? revision : undefined;
  } catch {
    return undefined;
  }
}

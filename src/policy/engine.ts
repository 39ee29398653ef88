import { createHash } from "node:crypto";
import { AuthzError, toAuthzError } from "../errors.js";
import type { PolicyBundle } from "./bundle.js";
import { type Evaluation, type EvaluationPool, toArrayBuffer } from "./evaluation-pool.js";
import { warmUpInputs } from "./warm-up.js";

export type { Evaluation } from "./evaluation-pool.js";

/** A loaded policy, ready to evaluate input documents at one decision path. */
export interface PolicyEngine {
  /** The bundle's manifest revision ("" when it has none). */
  readonly revision: string;
  /** A digest of the module and data: changes whenever the policy does, revision or not. */
  readonly id: string;
  /**
   * Evaluates the input document's JSON text on an evaluation thread (the text is copied there).
   * Rejects with `AuthzError("policy_eval_timeout")` past the deadline and
   * `AuthzError("policy_eval_error")` on a trap or builtin error.
   */
  evaluate(inputJson: string, decisionId?: string): Promise<Evaluation>;
  /** Frees the policy's instances; evaluations after it are refused. */
  close(): void;
}

/** Options for {@link loadWasmPolicy}. */
export interface WasmPolicyOptions {
  /** Decision path (`/`-separated), must be an entrypoint of the wasm module. */
  decision: string;
}

/**
 * Compiles a bundle's wasm module (asynchronously, off the request path) and instantiates it with
 * the bundle's data in every thread of the evaluation pool. Throws `AuthzError("bundle_invalid")` when the
 * module does not compile or instantiate, or lacks the decision path as an entrypoint
 * (`opa build -t wasm -e <decision>`).
 */
export async function loadWasmPolicy(
  bundle: PolicyBundle,
  options: WasmPolicyOptions,
  pool: EvaluationPool,
): Promise<PolicyEngine> {
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(toArrayBuffer(bundle.wasm));
  } catch (error) {
    throw toAuthzError("bundle_invalid", error);
  }
  let warmUp: string[];
  try {
    warmUp = warmUpInputs(bundle.data);
  } catch (error) {
    throw toAuthzError("bundle_invalid", error);
  }
  const data = new TextEncoder().encode(bundle.data).buffer as ArrayBuffer;
  const policy = await pool.load(module, data, warmUp);
  const entrypoint = policy.entrypoints[options.decision];
  if (entrypoint === undefined) {
    policy.unload();
    throw new AuthzError(
      "bundle_invalid",
      `decision ${options.decision} is not an entrypoint of policy.wasm (has: ${Object.keys(policy.entrypoints).join(", ")})`,
    );
  }
  return {
    revision: bundle.revision,
    id: policyId(bundle),
    evaluate: (inputJson, decisionId) => policy.evaluate(inputJson, entrypoint, decisionId),
    close: () => policy.unload(),
  };
}

/** SHA-256 (base64url, 16 chars) of the wasm module and the data. */
export function policyId(bundle: { wasm: Uint8Array; data: string }): string {
  return createHash("sha256")
    .update(bundle.wasm)
    .update(bundle.data)
    .digest("base64url")
    .slice(0, 16);
}

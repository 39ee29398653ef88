import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type { LoadedPolicy } from "@open-policy-agent/opa-wasm";
import { AuthzError, toAuthzError } from "../errors.js";
import type { PolicyBundle } from "./bundle.js";

// The package's ES module entry exports only `loadPolicy`; `loadPolicySync` (used so a poisoned
// instance can be replaced without awaiting on the request path) is on the CommonJS entry.
const opa = createRequire(import.meta.url)(
  "@open-policy-agent/opa-wasm",
) as typeof import("@open-policy-agent/opa-wasm");

/** The outcome of one evaluation: `defined` is false when the decision path has no value. */
export type Evaluation = { defined: false } | { defined: true; value: unknown };

/** A loaded policy, ready to evaluate input documents at one decision path. */
export interface PolicyEngine {
  /** The bundle's manifest revision ("" when it has none). */
  readonly revision: string;
  /** A digest of the module and data: changes whenever the policy does, revision or not. */
  readonly id: string;
  /** The decision path, e.g. `envoy/authz/allow`. */
  readonly decision: string;
  /**
   * Evaluates serialized input JSON. Synchronous and allocation-light: the wasm instance is
   * reused. Throws `AuthzError("policy_eval_error")` on a trap or builtin error; the instance is
   * then replaced before the next evaluation.
   */
  evaluate(inputJson: Uint8Array): Evaluation;
}

/** Options for {@link createWasmPolicy}. */
export interface WasmPolicyOptions {
  /** Decision path (`/`-separated), must be an entrypoint of the wasm module. */
  decision: string;
  /** Largest wasm memory, in 64 KiB pages; inputs that need more are evaluation errors. */
  maxMemoryPages: number;
}

/**
 * Compiles a bundle's wasm module (asynchronously, off the request path) and instantiates it with
 * the bundle's data. Throws `AuthzError("bundle_invalid")` when the module does not compile or
 * instantiate, or lacks the decision path as an entrypoint (`opa build -t wasm -e <decision>`).
 */
export async function loadWasmPolicy(
  bundle: PolicyBundle,
  options: WasmPolicyOptions,
): Promise<PolicyEngine> {
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(toArrayBuffer(bundle.wasm));
  } catch (error) {
    throw toAuthzError("bundle_invalid", error);
  }
  return createWasmPolicy(module, bundle, options);
}

function createWasmPolicy(
  module: WebAssembly.Module,
  bundle: PolicyBundle,
  options: WasmPolicyOptions,
): PolicyEngine {
  const data = new TextEncoder().encode(bundle.data).buffer as ArrayBuffer;
  const instantiate = (): LoadedPolicy => {
    const policy = opa.loadPolicySync(module, { initial: 5, maximum: options.maxMemoryPages });
    policy.setData(data);
    return policy;
  };
  let policy: LoadedPolicy;
  try {
    policy = instantiate();
  } catch (error) {
    throw toAuthzError("bundle_invalid", error);
  }
  const entrypoints = policy.entrypoints as Record<string, number>;
  const entrypoint = entrypoints[options.decision];
  if (entrypoint === undefined) {
    throw new AuthzError(
      "bundle_invalid",
      `decision ${options.decision} is not an entrypoint of policy.wasm (has: ${Object.keys(entrypoints).join(", ")})`,
    );
  }
  let poisoned = false;
  return {
    revision: bundle.revision,
    id: policyId(bundle),
    decision: options.decision,
    evaluate(inputJson) {
      if (poisoned) {
        policy = instantiate();
        poisoned = false;
      }
      try {
        const resultSet = policy.evaluate(toArrayBuffer(inputJson), entrypoint) as Array<{
          result: unknown;
        }>;
        const first = resultSet[0];
        return first === undefined ? { defined: false } : { defined: true, value: first.result };
      } catch (error) {
        poisoned = true;
        throw toAuthzError("policy_eval_error", error);
      }
    },
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

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength)
    return bytes.buffer as ArrayBuffer;
  return bytes.slice().buffer as ArrayBuffer;
}

export { BUNDLE_LIMITS, type PolicyBundle, readBundle } from "./bundle.js";
export {
  createWasmPolicy,
  type Evaluation,
  type PolicyEngine,
  type WasmPolicyOptions,
} from "./engine.js";

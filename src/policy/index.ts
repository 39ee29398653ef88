export { parseBundle, readBundle } from "./bundle.js";
export { bundlePath, DEFAULT_LIMITS, unpackBundle } from "./bundle-files.js";
export { type Evaluation, loadWasmPolicy, type PolicyEngine } from "./engine.js";
export {
  createEvaluationPool,
  type EvaluationPool,
  type EvaluationPoolOptions,
} from "./evaluation-pool.js";
export { SIGNATURES_FILE, type SigningPolicy } from "./signature.js";
export { type BundleSource, watchBundle } from "./source.js";
export { createPolicyStore, type PolicyStore } from "./store.js";

export { type PolicyBundle, parseBundle, readBundle } from "./bundle.js";
export {
  type BundleFiles,
  type BundleLimits,
  bundlePath,
  DEFAULT_LIMITS,
  readBundleDirectory,
  unpackBundle,
} from "./bundle-files.js";
export {
  type Evaluation,
  loadWasmPolicy,
  type PolicyEngine,
  type WasmPolicyOptions,
} from "./engine.js";
export {
  createEvaluationPool,
  type EvaluationPool,
  type EvaluationPoolEvents,
  type EvaluationPoolOptions,
} from "./evaluation-pool.js";
export { SIGNATURES_FILE, type SigningPolicy, verifyBundleSignature } from "./signature.js";
export {
  type BundleSource,
  type BundleSourceOptions,
  watchBundle,
} from "./source.js";
export {
  createPolicyStore,
  type PolicyStatus,
  type PolicyStore,
  type PolicyStoreEvents,
} from "./store.js";

export type { IdentityDeps } from "./deps.js";
export { parseSpiffeId, type SpiffeId, SpiffeIdError } from "./spiffe-id.js";
export { parseTrustBundle, type TrustBundle } from "./trust-bundle.js";
export { createIdentityVerifier, type IdentityVerifier } from "./verifier.js";

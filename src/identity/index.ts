export { CredentialBackendError } from "./credential.js";
export { type Fetch } from "./jwks-source.js";
export { parseSpiffeId, type SpiffeId, SpiffeIdError } from "./spiffe-id.js";
export { parseTrustBundle, type TrustBundle } from "./trust-bundle.js";
export {
  createIdentityVerifier,
  type IdentityDeps,
  type IdentityResult,
  type IdentityVerifier,
} from "./verifier.js";

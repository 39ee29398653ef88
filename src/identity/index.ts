export { createIdentityVerifier, type IdentityVerifier } from "./verifier.js";

export { peerList } from "./trusted-proxy.js";
export { createIdentityVerifier, type IdentityVerifier } from "./verifier.js";

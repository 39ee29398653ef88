import type { Identity } from "../authz/index.js";
import type { InputDocument } from "../input/index.js";

/**
 * Verifies the caller and returns `input.identity` (CONTRACT.md §4).
 *
 * No verification method (SPIFFE X.509-SVID, JWT, trusted proxy) is implemented yet, and the
 * config schema refuses to enable one, so every caller is anonymous: a credential the sidecar
 * cannot verify must never reach the policy as if it were verified. Policies decide what
 * anonymous callers may do (public routes). Issue #3 adds the verifiers behind this interface.
 */
export interface IdentityVerifier {
  verify(input: InputDocument): Promise<Identity>;
}

/** The anonymous caller. */
export const ANONYMOUS: Readonly<Identity> = Object.freeze({ authenticated: false, methods: [] });

/** Creates the verifier for the configured methods (none yet: everyone is anonymous). */
export function createIdentityVerifier(): IdentityVerifier {
  return {
    verify: async () => ({ authenticated: false, methods: [] }),
  };
}

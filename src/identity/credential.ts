import { AuthzError } from "../errors.js";

/** How a credential was presented; the `methods` names of CONTRACT.md §4. */
export type CredentialMethod = "x509-svid" | "jwt" | "jwt-svid" | "proxy";

/**
 * A presented credential failed verification: HTTP 401, no policy evaluation. `reason` is for
 * the decision log (which rule failed); Envoy is told only the class.
 */
export class InvalidCredential extends AuthzError {
  constructor(
    readonly method: CredentialMethod,
    readonly reason: string,
  ) {
    super("identity_invalid", `${method}: ${reason}`);
  }
}

/** A credential could not be checked because its keys are unavailable: deny with 403. */
export class CredentialBackendError extends AuthzError {
  constructor(
    readonly method: CredentialMethod,
    message: string,
    options?: { cause?: unknown },
  ) {
    super("identity_unavailable", `${method}: ${message}`, options);
  }
}

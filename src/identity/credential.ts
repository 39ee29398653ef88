import { AuthzError, type CredentialMethod } from "../errors.js";

export { type CredentialMethod, InvalidCredential } from "../errors.js";

/** A credential could not be checked because its keys are unavailable: deny with 403. */
export class CredentialBackendError extends AuthzError {
  constructor(method: CredentialMethod, message: string, options?: { cause?: unknown }) {
    super("identity_unavailable", `${method}: ${message}`, options);
  }
}

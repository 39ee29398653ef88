/**
 * The one error catalogue. Foreign errors (jose, opa-wasm, protobufjs, @fastify/busboy) are converted into
 * an {@link AuthzError} once, at their adapter; everything past an adapter sees only these codes.
 */

/** Stable error codes. Each names a class of failure; the Envoy-facing body never says more. */
export type AuthzErrorCode =
  /** The CheckRequest could not be turned into an input document (bad escape, body, length). */
  | "request_parse_error"
  /** No policy is loaded yet, or the loaded one has no entrypoint for the decision path. */
  | "policy_not_loaded"
  /** A credential was presented and failed verification (HTTP 401; the policy is not run). */
  | "identity_invalid"
  /** A credential could not be checked because a key or bundle source is unavailable. */
  | "identity_unavailable"
  /** The policy evaluated to nothing at the decision path. */
  | "policy_undefined"
  /** The policy result has the wrong shape (not a boolean, or a malformed decision object). */
  | "policy_result_invalid"
  /** The WebAssembly evaluation itself failed (trap, out of memory, builtin error). */
  | "policy_eval_error"
  /** The evaluation did not finish by its deadline (`policy.evaluationTimeout`). */
  | "policy_eval_timeout"
  /** A policy bundle could not be read, unpacked or instantiated. */
  | "bundle_invalid"
  /** The configuration file is invalid; the message names the key path. */
  | "config_invalid"
  /** The command line is invalid (a missing or malformed argument). */
  | "usage_invalid"
  /** A file named on the command line (a CheckRequest, a decision log, keys) or stdin could not be read. */
  | "input_unreadable"
  /** A file the configuration names (the config file itself, a token, a key) could not be read. */
  | "file_unreadable"
  /** A listener could not bind its address. */
  | "listen_failed"
  /** Redis could not be reached by a command that needs it. */
  | "redis_unavailable"
  /** Anything else: a bug or an environment fault. */
  | "internal";

/** The error type of this project. `code` is stable; `message` is for operators' logs. */
export class AuthzError extends Error {
  override readonly name = "AuthzError";

  /** For a refused bundle: the builtins it calls that this sidecar does not provide. */
  readonly missingBuiltins?: string[];

  constructor(
    readonly code: AuthzErrorCode,
    message: string,
    options?: { cause?: unknown; missingBuiltins?: string[] },
  ) {
    super(message, options);
    if (options?.missingBuiltins) this.missingBuiltins = options.missingBuiltins;
  }
}

/** Converts anything thrown (opa-wasm throws strings) into an {@link AuthzError} with `code`. */
export function toAuthzError(code: AuthzErrorCode, thrown: unknown): AuthzError {
  if (thrown instanceof AuthzError) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new AuthzError(code, message, { cause: thrown });
}

/** How a credential was presented; the `methods` names of docs/contract.md §4. */
export type CredentialMethod = "x509-svid" | "jwt" | "jwt-svid" | "proxy";

/**
 * A presented credential failed verification: HTTP 401 and no policy evaluation. `reason` names
 * the broken rule for the decision log; Envoy is told only the class.
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
  constructor(method: CredentialMethod, message: string, options?: { cause?: unknown }) {
    super("identity_unavailable", `${method}: ${message}`, options);
  }
}

import { AuthzError, type AuthzErrorCode } from "../errors.js";

/**
 * What each exit status past 0 and 1 means (those two are each command's own: allowed/denied,
 * flips within/over the gate). For `--help` and the README's "Command line".
 */
export const EXIT_MEANINGS: Readonly<Record<number, string>> = {
  2: "usage or configuration invalid: a flag, an argument (a request that is not a CheckRequest), a config key or value, the bundle",
  3: "a file named on the command line cannot be read: REQUEST.json, --log, --dir, --keys, stdin",
  4: "the configuration cannot be read: its file, or a file it names (a token, a key, the revocation file, which revoke also writes)",
  5: "Redis cannot be reached",
  70: "an internal error",
};

const BY_CODE: Partial<Record<AuthzErrorCode, number>> = {
  usage_invalid: 2,
  request_parse_error: 2,
  config_invalid: 2,
  bundle_invalid: 2,
  listen_failed: 2,
  input_unreadable: 3,
  file_unreadable: 4,
  redis_unavailable: 5,
};

/** The exit status of a command that failed with `error` ({@link EXIT_MEANINGS}). */
export function exitStatus(error: unknown): number {
  return (error instanceof AuthzError ? BY_CODE[error.code] : undefined) ?? 70;
}

import type { GcraResult, Window } from "./gcra.js";

/**
 * The `RateLimit-Policy` field of draft-ietf-httpapi-ratelimit-headers (-09, §3), a Structured
 * Field list (RFC 9651) naming every window with its quota `q` and window `w` (seconds). The
 * same for every check of a tier: the limiter builds it once.
 */
export const rateLimitPolicy = (windows: readonly Window[]): string =>
  windows
    .map((w) => `"${w.name}";q=${Math.floor(w.quota)};w=${Math.ceil(w.windowMs / 1000)}`)
    .join(", ");

/**
 * The response headers of draft-ietf-httpapi-ratelimit-headers (-09, §3 and §4): `policy` (see
 * {@link rateLimitPolicy}) as `RateLimit-Policy`; `RateLimit` names the window closest to its
 * limit with the remaining `r` and the seconds `t` until it is full again. `Retry-After`
 * (RFC 9110 §10.2.3) on refusals, in seconds.
 */
export function rateLimitHeaders(
  policy: string,
  result: Pick<GcraResult, "window" | "remaining" | "resetUs">,
  retryAfterSeconds: number,
): Record<string, string> {
  const headers: Record<string, string> = {
    "ratelimit-policy": policy,
    ratelimit: `"${result.window.name}";r=${result.remaining};t=${Math.ceil(result.resetUs / 1e6)}`,
  };
  if (retryAfterSeconds > 0) headers["retry-after"] = String(retryAfterSeconds);
  return headers;
}

/** Whole seconds to wait for µs, at least 1 (a `Retry-After: 0` invites a retry storm). */
export const retryAfterSeconds = (us: number) => Math.max(1, Math.ceil(us / 1e6));

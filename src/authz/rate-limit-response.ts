import type { RateVerdict } from "../ratelimit/index.js";
import { type CheckResponse, type HeaderValueOption, RpcCode } from "./check-response.js";

const BODY: Record<Exclude<RateVerdict["outcome"], "allowed">, string> = {
  limited: "rate_limited",
  blocked: "address_blocked",
  unavailable: "rate_limit_unavailable",
};

const headerOptions = (headers: Readonly<Record<string, string>>): HeaderValueOption[] =>
  Object.entries(headers).map(([key, value]) => ({ header: { key, value } }));

/**
 * A refused request: HTTP 429 (RFC 6585 §4) with `Retry-After` and the `RateLimit-Policy` /
 * `RateLimit` headers, and a body naming why (`rate_limited`, `address_blocked`,
 * `rate_limit_unavailable`).
 */
export function rateLimitedResponse(verdict: RateVerdict): CheckResponse {
  const body = verdict.outcome === "allowed" ? "rate_limited" : BODY[verdict.outcome];
  return {
    status: { code: RpcCode.PERMISSION_DENIED, message: body },
    deniedResponse: { status: { code: 429 }, body, headers: headerOptions(verdict.headers) },
  };
}

/** An allowed response, with the verdict's headers added to what the client gets back. */
export function withRateLimitHeaders(response: CheckResponse, verdict: RateVerdict): CheckResponse {
  const added = headerOptions(verdict.headers);
  if (added.length === 0) return response;
  const ok = response.okResponse ?? {};
  return {
    ...response,
    okResponse: { ...ok, responseHeadersToAdd: [...(ok.responseHeadersToAdd ?? []), ...added] },
  };
}

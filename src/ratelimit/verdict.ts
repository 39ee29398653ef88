/** What a rate limit decided for one request: plain data for the CheckResponse and the log. */
export interface RateVerdict {
  /** `tenant`: the verified caller's tenant (or subject); `address`: the client address. */
  scope: "tenant" | "address";
  /** What was counted, e.g. `tenant:acme`, `address:203.0.113.7`. */
  key: string;
  /** The tier name (`address` for client addresses). */
  tier: string;
  /**
   * `allowed`; `limited` (over a window); `blocked` (a client address refused too often);
   * `unavailable` (Redis failed and `failMode: deny`).
   */
  outcome: "allowed" | "limited" | "blocked" | "unavailable";
  /** Requests left in the window closest to its limit. */
  remaining: number;
  /** Who decided: Redis (every replica), this replica's local buckets, or nobody (`failMode: allow`). */
  source: "redis" | "local" | "none";
  /** Refused: whole seconds after which to retry (`Retry-After`), at least 1; else 0. */
  retryAfterSeconds: number;
  /** `blocked`: when the block ends (ISO 8601). */
  blockedUntil?: string;
  /** Response headers (lower-case names): `ratelimit-policy`, `ratelimit`, and `retry-after` when refused. */
  headers: Readonly<Record<string, string>>;
}

import { type BlockList, isIP } from "node:net";
import type { Identity } from "../authz/types.js";
import type { Clock } from "../clock.js";
import { peerList } from "../identity/index.js";
import type { AbuseRule, BucketRequest, BucketStore, TakeResult } from "./buckets.js";
import type { Window } from "./gcra.js";
import { rateLimitHeaders, rateLimitPolicy, retryAfterSeconds } from "./headers.js";
import type { RateVerdict } from "./verdict.js";

/** Options resolved once from the `rateLimit` config section. */
export interface RateLimiterOptions {
  /** Tier name → its windows. */
  tiers: Readonly<Record<string, readonly Window[]>>;
  /** Tenant → tier name; tenants not listed get `defaultTier`. */
  tenants: Readonly<Record<string, string>>;
  defaultTier: string;
  /** JSON pointers into `input.identity` tried in order; the first non-empty string is the tenant. */
  tenantFrom: readonly string[];
  /** Per client address: its windows and abuse rule; undefined = no address limit. */
  address?: { windows: readonly Window[]; abuse: AbuseRule };
  /** Envoy peers (CIDRs) whose `x-forwarded-for` names the client; none = the peer is the client. */
  trustedProxies: readonly string[];
  /** Prefix of every Redis key, e.g. `openclaw-authz:`. */
  keyPrefix: string;
  /** Redis failed: decide with local buckets, refuse, or let the request through. */
  failMode: "local" | "deny" | "allow";
  /** After a shared-store failure, how long to decide locally before asking it again, ms. */
  retryIntervalMs: number;
}

/** What {@link createRateLimiter} works with. */
export interface RateLimiterDeps {
  /** The buckets every replica shares (Redis); absent = local only. */
  shared?: BucketStore;
  /** This replica's buckets, sized per replica: the fallback, or the only store. */
  local: BucketStore;
  clock: Clock;
  /** A shared take that failed (counted and logged by the caller, at most once per interval). */
  onFailure(failure: string, error: Error): void;
}

/** The rate limit step: per client address (every request), per tenant (allowed requests). */
export interface RateLimiter {
  /** Counts a request against its client address. Never rejects. */
  admitAddress(document: Readonly<Record<string, unknown>>): Promise<RateVerdict | undefined>;
  /** Counts an allowed request against the caller's tenant; undefined for anonymous callers. */
  admitTenant(identity: Identity): Promise<RateVerdict | undefined>;
}

/** A limit resolved once: its windows, abuse rule and `RateLimit-Policy` header value. */
interface Limit {
  tier: string;
  windows: readonly Window[];
  abuse?: AbuseRule;
  policy: string;
}

const limitOf = (tier: string, windows: readonly Window[], abuse?: AbuseRule): Limit => ({
  tier,
  windows,
  ...(abuse ? { abuse } : {}),
  policy: rateLimitPolicy(windows),
});

/**
 * The limiter: resolves the key and tier, takes from the shared buckets and, when they fail or
 * are too slow, decides by `failMode`. After a failure it stays local for `retryIntervalMs`, so
 * a stopped Redis costs one budget per interval, not one per check.
 */
export function createRateLimiter(deps: RateLimiterDeps, options: RateLimiterOptions): RateLimiter {
  const proxies =
    options.trustedProxies.length > 0 ? peerList([...options.trustedProxies]) : undefined;
  const tenantPointers = options.tenantFrom.map(pointerTokens);
  const tiers = new Map(
    Object.entries(options.tiers).map(([name, windows]) => [name, limitOf(name, windows)]),
  );
  const address =
    options.address && limitOf("address", options.address.windows, options.address.abuse);
  let sharedAfterMs = 0;

  async function take(scope: RateVerdict["scope"], id: string, limit: Limit): Promise<RateVerdict> {
    const tag = `${scope === "tenant" ? "t" : "a"}:${encodeURIComponent(id)}`;
    const key = `${options.keyPrefix}rl:{${tag}}`;
    const { windows, abuse } = limit;
    const request: BucketRequest = abuse ? { key, windows, abuse } : { key, windows };
    const base = { scope, key: `${scope}:${id}`, tier: limit.tier };
    const nowMs = deps.clock.now().getTime();
    if (deps.shared && nowMs >= sharedAfterMs) {
      try {
        return verdict(base, limit.policy, await deps.shared.take(request), "redis", nowMs);
      } catch (error) {
        sharedAfterMs = nowMs + options.retryIntervalMs;
        deps.onFailure((error as { failure?: string }).failure ?? "error", error as Error);
      }
    }
    if (deps.shared && options.failMode !== "local") return undecided(base, options.failMode);
    return verdict(base, limit.policy, await deps.local.take(request), "local", nowMs);
  }

  return {
    async admitAddress(document) {
      if (!address) return undefined;
      const client = clientAddress(document, proxies);
      if (!client) return undefined;
      return take("address", client, address);
    },
    async admitTenant(identity) {
      if (!identity.authenticated) return undefined;
      const tenant = tenantOf(identity, tenantPointers);
      const id = tenant ?? `subject:${identity.subject ?? ""}`;
      const tier = (tenant && options.tenants[tenant]) || options.defaultTier;
      return take("tenant", id, tiers.get(tier) ?? limitOf(tier, []));
    },
  };
}

/** Redis failed and `failMode` is `allow` or `deny`: nobody counted this request. */
function undecided(
  base: Pick<RateVerdict, "scope" | "key" | "tier">,
  mode: "allow" | "deny",
): RateVerdict {
  const allow = mode === "allow";
  return {
    ...base,
    outcome: allow ? "allowed" : "unavailable",
    remaining: 0,
    source: "none",
    retryAfterSeconds: allow ? 0 : 1,
    headers: allow ? {} : { "retry-after": "1" },
  };
}

function verdict(
  base: Pick<RateVerdict, "scope" | "key" | "tier">,
  policy: string,
  result: TakeResult,
  source: RateVerdict["source"],
  nowMs: number,
): RateVerdict {
  const retry = result.allowed ? 0 : retryAfterSeconds(result.retryAfterUs);
  const blocked = result.blockedMs > 0;
  const decided: RateVerdict = {
    scope: base.scope,
    key: base.key,
    tier: base.tier,
    outcome: blocked ? "blocked" : result.allowed ? "allowed" : "limited",
    remaining: result.remaining,
    source,
    retryAfterSeconds: retry,
    headers: rateLimitHeaders(policy, result, retry),
  };
  if (blocked) decided.blockedUntil = new Date(nowMs + result.blockedMs).toISOString();
  return decided;
}

/** A JSON pointer (RFC 6901) as its unescaped tokens: `/jwt/claims/tenant` → jwt, claims, tenant. */
export const pointerTokens = (pointer: string): string[] =>
  pointer
    .split("/")
    .slice(1)
    .map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"));

/** The tenant at the first pointer (into `input.identity`, see {@link pointerTokens}) holding a non-empty string. */
export function tenantOf(
  identity: Identity,
  pointers: readonly (readonly string[])[],
): string | undefined {
  for (const tokens of pointers) {
    let value: unknown = identity;
    for (const name of tokens) {
      value =
        typeof value === "object" && value !== null && Object.hasOwn(value, name)
          ? (value as Record<string, unknown>)[name]
          : undefined;
    }
    if (typeof value === "string" && value !== "" && value.length <= 256) return value;
  }
  return undefined;
}

/**
 * The client's address: Envoy's peer (`attributes.source.address.socketAddress.address`), or,
 * when that peer is a trusted proxy, the rightmost `x-forwarded-for` entry that is not one
 * (the entries left of it are whatever the client wrote).
 */
export function clientAddress(
  document: Readonly<Record<string, unknown>>,
  proxies: BlockList | undefined,
): string | undefined {
  const attributes = document.attributes as AttributesView | undefined;
  const peer = attributes?.source?.address?.socketAddress?.address;
  if (typeof peer !== "string" || isIP(peer) === 0) return undefined;
  if (!proxies || !trusted(proxies, peer)) return peer;
  const forwarded = attributes?.request?.http?.headers?.["x-forwarded-for"];
  if (typeof forwarded !== "string") return peer;
  const hops = forwarded.split(",").map((hop) => hop.trim());
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (isIP(hop) === 0) return peer;
    if (!trusted(proxies, hop)) return hop;
  }
  return peer;
}

interface AttributesView {
  source?: { address?: { socketAddress?: { address?: unknown } } };
  request?: { http?: { headers?: Record<string, unknown> } };
}

const trusted = (list: BlockList, address: string) =>
  list.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");

import { BlockList, isIP } from "node:net";
import {
  decodeProtectedHeader,
  errors,
  importJWK,
  importSPKI,
  type JSONWebKeySet,
  type JWTPayload,
  jwtVerify,
  type KeyObject,
} from "jose";
import type { Clock } from "../clock.js";
import { CredentialBackendError, InvalidCredential } from "../errors.js";
import type { Fetch } from "../fetch.js";
import { readLimited } from "./jwks-source.js";
import { issuedAtProblem, type JwtSettings } from "./jwt.js";

/** A load balancer that authenticates users and signs their identity into a header (AWS ALB). */
export interface ProxyPolicy {
  /** The signed identity header, e.g. `x-amzn-oidc-data`. */
  header: string;
  /** Peers allowed to assert identity. */
  peers: BlockList;
  /** The `signer` header value the token must carry (the ALB's ARN). */
  signer: string;
  /** The proxy's public key for a `kid`. Throws CredentialBackendError when unavailable. */
  keyFor(kid: string): Promise<KeyObject | CryptoKey>;
}

const fail = (reason: string) => new InvalidCredential("proxy", reason);

/** Builds the peer allowlist from CIDRs (`10.0.0.0/8`, `2001:db8::/32`) or single addresses. */
export function peerList(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = "", prefix] = cidr.split("/");
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

/** Whether `address` (the connecting peer as Envoy saw it) may assert proxy identity. */
export function isTrustedPeer(policy: ProxyPolicy, address: string | undefined): boolean {
  const family = address ? isIP(address) : 0;
  return family !== 0 && policy.peers.check(address as string, family === 6 ? "ipv6" : "ipv4");
}

/**
 * A base64url segment without its trailing `=` padding. A loop, not `/=+$/`: V8 retries that
 * regex from every `=`, so n padding characters took n² steps.
 */
function withoutPadding(part: string): string {
  let end = part.length;
  while (end > 0 && part.charCodeAt(end - 1) === 0x3d) end--;
  return part.slice(0, end);
}

/**
 * Verifies an ALB identity token: ES256 only; `signer` equal to the configured ARN; signature by
 * the key the proxy publishes for `kid`; `exp` (in the payload, and in the header when present)
 * and a present `iat` enforced with clock tolerance. ALB pads its base64url segments, so padding
 * is removed first.
 * Throws {@link InvalidCredential}, or CredentialBackendError when the key cannot be fetched.
 */
export async function verifyProxyToken(
  value: string,
  policy: ProxyPolicy,
  settings: JwtSettings,
): Promise<JWTPayload> {
  const token = value.split(".").map(withoutPadding).join(".");
  let header: ReturnType<typeof decodeProtectedHeader> & { signer?: unknown; exp?: unknown };
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw fail("malformed token");
  }
  if (header.alg !== "ES256") throw fail("algorithm not allowed");
  if (header.signer !== policy.signer) throw fail("wrong signer");
  if (typeof header.kid !== "string" || !/^[A-Za-z0-9_-]{1,128}$/.test(header.kid))
    throw fail("bad kid");
  const now = settings.clock.now().getTime() / 1000;
  if (typeof header.exp === "number" && header.exp + settings.clockToleranceSec < now)
    throw fail("expired");
  const key = await policy.keyFor(header.kid);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ["ES256"],
      requiredClaims: ["exp"],
      clockTolerance: settings.clockToleranceSec,
      currentDate: settings.clock.now(),
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw fail("expired");
    if (error instanceof errors.JWSSignatureVerificationFailed) throw fail("bad signature");
    if (error instanceof errors.JWTClaimValidationFailed && error.reason === "invalid")
      throw fail(`invalid ${error.claim} (not a NumericDate)`); // RFC 7519 §2
    throw fail("invalid token");
  }
  const early = issuedAtProblem(payload, settings);
  if (early) throw fail(early);
  return payload;
}

/** Looks up proxy keys by `kid` in a JWKS file the caller keeps current (a watched file). */
export function createProxyKeyFile(deps: {
  keys: { current(): JSONWebKeySet | undefined };
}): (kid: string) => Promise<KeyObject | CryptoKey> {
  return async (kid) => {
    const jwk = deps.keys.current()?.keys.find((key) => key.kid === kid);
    if (!jwk) throw new InvalidCredential("proxy", "unknown kid");
    return (await importJWK(jwk, "ES256")) as KeyObject | CryptoKey;
  };
}

/**
 * Looks up ALB public keys by `kid` from a URL template (`https://…/{kid}`, PEM responses),
 * caching up to 64 keys; a failing `kid` is not refetched for `cooldownMs`. A failure fails the
 * lookup (CredentialBackendError), so there is no `onError`; nothing to close (no timer).
 */
export function createProxyKeyFetcher(
  deps: { fetch: Fetch; clock: Clock },
  options: { urlTemplate: string; timeoutMs: number; cooldownMs: number },
): (kid: string) => Promise<KeyObject | CryptoKey> {
  const { fetch, clock } = deps;
  const cache = new Map<string, KeyObject | CryptoKey>();
  const failedAt = new Map<string, number>();
  return async (kid) => {
    const cached = cache.get(kid);
    if (cached) return cached;
    if (
      clock.now().getTime() - (failedAt.get(kid) ?? Number.NEGATIVE_INFINITY) <
      options.cooldownMs
    ) {
      throw new CredentialBackendError("proxy", `key ${kid} recently unavailable`);
    }
    try {
      const url = options.urlTemplate.replace("{kid}", encodeURIComponent(kid));
      const response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const pem = await readLimited(response, 16_384, url);
      const key = await importSPKI(pem, "ES256");
      if (cache.size >= 64) cache.delete(cache.keys().next().value as string);
      cache.set(kid, key);
      return key;
    } catch (error) {
      failedAt.set(kid, clock.now().getTime());
      throw new CredentialBackendError(
        "proxy",
        `cannot fetch key ${kid}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  };
}

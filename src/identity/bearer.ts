import { InvalidCredential } from "../errors.js";
import {
  type IssuerPolicy,
  type JwtSettings,
  peekClaims,
  type VerifiedJwt,
  verifyIssuerToken,
} from "./jwt.js";
import { verifyJwtSvid } from "./jwt-svid.js";
import type { SpiffeId } from "./spiffe-id.js";
import type { TrustBundle } from "./trust-bundle.js";
import type { VerifiedCache } from "./verified-cache.js";

/** What a bearer token verified as: an issuer's JWT, or a JWT-SVID. */
export interface BearerFound {
  jwt?: VerifiedJwt;
  svid?: { spiffe: SpiffeId; jwt: VerifiedJwt };
}

/** The issuers, JWT-SVID audiences, bundles and cache a bearer token is checked against. */
export interface BearerVerification {
  issuers: IssuerPolicy[];
  svidAudiences: string[];
  bundleFor(trustDomain: string): TrustBundle | undefined;
  settings: JwtSettings;
  cache: VerifiedCache<BearerFound>;
}

/** Routes a bearer token by its unverified `iss`/`sub` to the one verifier that may accept it. */
export async function verifyBearer(
  token: string,
  context: BearerVerification,
): Promise<BearerFound> {
  // The key set a (cached or fresh) result was verified against, as it is serving now.
  const keysFor = (found: BearerFound) =>
    found.svid
      ? context.bundleFor(found.svid.spiffe.trustDomain)
      : context.issuers.find((candidate) => candidate.issuer === found.jwt?.issuer)?.keys.current();
  const cached = context.cache.get(token, keysFor);
  if (cached) return cached;
  const claims = peekClaims(token, "jwt");
  const issuer = context.issuers.find((candidate) => candidate.issuer === claims.iss);
  const isSvid =
    context.svidAudiences.length > 0 &&
    typeof claims.sub === "string" &&
    claims.sub.startsWith("spiffe://");
  if (!issuer && !isSvid) throw new InvalidCredential("jwt", "unknown issuer");
  const found = issuer
    ? { jwt: await verifyIssuerToken(token, issuer, context.settings) }
    : {
        svid: await verifyJwtSvid(
          token,
          context.svidAudiences,
          context.bundleFor,
          context.settings,
        ),
      };
  const keys = keysFor(found);
  const expiresAt = (found.jwt ?? found.svid?.jwt)?.expires_at ?? 0;
  if (keys) context.cache.set(token, keys, found, expiresAt * 1000);
  return found;
}

/** `authorization: Bearer <token>` (RFC 6750 §2.1), or the bare value of another header. */
export function bearerToken(headers: Record<string, string>, header: string): string | undefined {
  const value = headers[header];
  if (value === undefined) return undefined;
  if (header !== "authorization") return value.trim();
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(value);
  if (match) return match[1];
  if (/^Bearer\b/i.test(value)) throw new InvalidCredential("jwt", "malformed token");
  return undefined; // another scheme (Basic, …) is not a bearer credential
}

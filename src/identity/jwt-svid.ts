import { decodeProtectedHeader } from "jose";
import { InvalidCredential } from "../errors.js";
import { type JwtSettings, peekClaims, type VerifiedJwt, verifyWith } from "./jwt.js";
import { parseSpiffeId, type SpiffeId, SpiffeIdError } from "./spiffe-id.js";
import type { TrustBundle } from "./trust-bundle.js";

/** JWT-SVID §3: RSA, ECDSA and RSA-PSS only. */
export const JWT_SVID_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "ES256",
  "ES384",
  "ES512",
  "PS256",
  "PS384",
  "PS512",
];

const fail = (reason: string) => new InvalidCredential("jwt-svid", reason);

/**
 * Verifies a JWT-SVID (SPIFFE JWT-SVID specification): `sub` a valid SPIFFE ID, `aud` present
 * and one of `audiences`, `exp` present, `typ` absent or JWT/JOSE, signed with an allowed
 * algorithm by a `jwt-svid` key of the subject's own trust-domain bundle.
 * Throws {@link InvalidCredential}.
 */
export async function verifyJwtSvid(
  token: string,
  audiences: string[],
  bundleFor: (trustDomain: string) => TrustBundle | undefined,
  settings: JwtSettings,
): Promise<{ spiffe: SpiffeId; jwt: VerifiedJwt }> {
  const subject = peekClaims(token, "jwt-svid").sub;
  let spiffe: SpiffeId;
  try {
    spiffe = parseSpiffeId(typeof subject === "string" ? subject : "");
  } catch (error) {
    throw fail(
      `sub is not a valid SPIFFE ID (${error instanceof SpiffeIdError ? error.message : "invalid"})`,
    );
  }
  const typ = decodeProtectedHeader(token).typ;
  if (typ !== undefined && typ !== "JWT" && typ !== "JOSE") throw fail("wrong typ");
  const keys = bundleFor(spiffe.trustDomain)?.jwtAuthorities ?? [];
  if (keys.length === 0) throw fail(`trust domain ${spiffe.trustDomain} has no JWT-SVID keys`);
  const jwt = await verifyWith(
    token,
    { keys },
    "jwt-svid",
    { audience: audiences, algorithms: JWT_SVID_ALGORITHMS, requiredClaims: ["exp", "aud", "sub"] },
    settings,
  );
  return { spiffe, jwt };
}

import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  jwtVerify,
} from "jose";
import type { Clock } from "../clock.js";
import { CredentialBackendError, type CredentialMethod, InvalidCredential } from "../errors.js";
import type { JwksSource } from "./jwks-source.js";

/** One trusted issuer of bearer tokens. */
export interface IssuerPolicy {
  issuer: string;
  /** The token's `aud` must contain one of these. */
  audiences: string[];
  /** Allowed `alg` values; nothing else is ever accepted (`none` never is). */
  algorithms: string[];
  /** Required `typ` header, when set (RFC 8725 §3.11). */
  typ?: string;
  keys: JwksSource;
}

/** What a verified token tells the policy (`input.identity.jwt`). */
export interface VerifiedJwt {
  issuer: string;
  subject?: string;
  audience: string[];
  expires_at: number;
  claims: JWTPayload;
}

/** Shared verification settings. */
export interface JwtSettings {
  /** Allowed clock skew, seconds. */
  clockToleranceSec: number;
  clock: Clock;
}

/** The unverified claims used only to choose a verifier; never shown to a policy. */
export function peekClaims(token: string, method: CredentialMethod): JWTPayload {
  try {
    decodeProtectedHeader(token);
    return decodeJwt(token);
  } catch {
    throw new InvalidCredential(method, "malformed token");
  }
}

/**
 * Verifies a bearer token from `issuer` with jose: signature by a key of the issuer's JWKS,
 * algorithm allowlist, `iss`, `aud`, required `exp`, `nbf` and `iat` ({@link issuedAtProblem})
 * with clock tolerance, `typ` when configured, unknown `crit` refused. `jku`/`x5u`/`jwk` headers
 * are ignored: keys come only from the configured source. An unknown `kid` triggers a
 * (rate-limited) refetch and one retry.
 * Throws {@link InvalidCredential} or, when no keys were ever loaded, CredentialBackendError.
 */
export async function verifyIssuerToken(
  token: string,
  issuer: IssuerPolicy,
  settings: JwtSettings,
): Promise<VerifiedJwt> {
  const attempt = async () => {
    const keySet = issuer.keys.current();
    if (!keySet)
      throw new CredentialBackendError("jwt", `no keys loaded for issuer ${issuer.issuer}`);
    return verifyWith(
      token,
      keySet,
      "jwt",
      {
        issuer: issuer.issuer,
        audience: issuer.audiences,
        algorithms: issuer.algorithms,
        ...(issuer.typ ? { typ: issuer.typ } : {}),
      },
      settings,
    );
  };
  try {
    return await attempt();
  } catch (error) {
    if (!(error instanceof InvalidCredential && error.reason.startsWith("unknown kid")))
      throw error;
    const outcome = await issuer.keys.refresh();
    if (outcome === "failed")
      throw new CredentialBackendError("jwt", `key refetch failed for issuer ${issuer.issuer}`);
    if (outcome === "cooldown") throw error;
    return attempt();
  }
}

/** Verifies against a fixed key set (also used for JWT-SVIDs and proxy tokens). */
export async function verifyWith(
  token: string,
  keySet: JSONWebKeySet,
  method: CredentialMethod,
  checks: {
    issuer?: string;
    audience?: string[];
    algorithms: string[];
    typ?: string;
    requiredClaims?: string[];
  },
  settings: JwtSettings,
): Promise<VerifiedJwt> {
  const header = protectedHeader(token, method);
  const alg = String(header.alg);
  if (alg === "none") throw new InvalidCredential(method, "alg none refused");
  if (/^HS/i.test(alg)) throw new InvalidCredential(method, `HMAC algorithm refused (${alg})`);
  if (!checks.algorithms.includes(alg))
    throw new InvalidCredential(method, `algorithm not allowed (${alg})`);
  // Keys only ever come from the configured source (RFC 8725 §3.10); say what was ignored.
  const ignored = KEY_HINTS.filter((hint) => hint in header)
    .map((hint) => ` (ignored ${hint} header)`)
    .join("");
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, createLocalJWKSet(keySet), {
      ...checks,
      requiredClaims: checks.requiredClaims ?? ["exp"],
      clockTolerance: settings.clockToleranceSec,
      currentDate: settings.clock.now(),
    }));
  } catch (error) {
    throw new InvalidCredential(method, `${reasonFor(error)}${ignored}`);
  }
  const early = issuedAtProblem(payload, settings);
  if (early) throw new InvalidCredential(method, `${early}${ignored}`);
  return {
    issuer: payload.iss ?? "",
    ...(payload.sub === undefined ? {} : { subject: payload.sub }),
    audience: typeof payload.aud === "string" ? [payload.aud] : (payload.aud ?? []),
    expires_at: payload.exp as number,
    claims: payload,
  };
}

const NOT_NUMERIC_DATE = (claim: string) => `invalid ${claim} (not a NumericDate)`;

/**
 * What is wrong with a verified payload's `iat`, or undefined when nothing is. `iat` is optional
 * (RFC 7519 §4.1.6), but when present it must be a NumericDate no later than now + the clock
 * tolerance: jose compares it with the clock only when `maxTokenAge` is set, which would also
 * make it required. Call it after jose has verified the token, so the reason is about a real one.
 */
export function issuedAtProblem(payload: JWTPayload, settings: JwtSettings): string | undefined {
  const { iat } = payload;
  if (iat === undefined) return undefined;
  // jose refuses a non-number itself; `1e400` still parses to Infinity.
  if (typeof iat !== "number" || !Number.isFinite(iat)) return NOT_NUMERIC_DATE("iat");
  const now = Math.floor(settings.clock.now().getTime() / 1000); // jose's epoch, whole seconds
  return iat > now + settings.clockToleranceSec ? "issued in the future (iat)" : undefined;
}

const KEY_HINTS = ["jku", "x5u", "jwk", "x5c"];

function protectedHeader(token: string, method: CredentialMethod) {
  try {
    return decodeProtectedHeader(token);
  } catch {
    throw new InvalidCredential(method, "malformed token");
  }
}

/** jose's error catalogue to the decision log's reasons. */
function reasonFor(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    const claim = error.claim;
    if (error.reason === "missing") return `missing ${claim}`;
    // jose's reason for an iat, nbf or exp that is not a number (RFC 7519 §2 NumericDate).
    if (error.reason === "invalid") return NOT_NUMERIC_DATE(claim);
    if (claim === "nbf") return "not yet valid (nbf)";
    if (claim === "iat") return "issued in the future (iat)";
    if (claim === "iss") return "wrong issuer";
    if (claim === "aud") return "wrong audience";
    if (claim === "typ") return "wrong typ";
    return `invalid ${claim}`;
  }
  if (error instanceof errors.JWKSNoMatchingKey) return "unknown kid";
  if (error instanceof errors.JWKSMultipleMatchingKeys) return "ambiguous key (no kid)";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "bad signature";
  if (error instanceof errors.JOSENotSupported) return "unsupported crit header";
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid)
    return "malformed token";
  return "invalid token";
}

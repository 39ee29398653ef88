import { X509Certificate } from "node:crypto";
import type { JWK } from "jose";
import { pemCertificates } from "./pem.js";

/** What a trust domain's bundle authorizes: CA certificates for X.509-SVIDs, keys for JWT-SVIDs. */
export interface TrustBundle {
  x509Authorities: X509Certificate[];
  /** JWT-SVID keys, with SPIFFE's `use: jwt-svid` rewritten to `sig` so jose accepts them. */
  jwtAuthorities: JWK[];
}

/**
 * Parses a trust bundle file: a SPIFFE bundle (a JWKS whose keys carry `use: x509-svid` with
 * `x5c`, or `use: jwt-svid`; SPIFFE Trust Domain and Bundle §4) or PEM CA certificates.
 * Throws Error when the file holds neither.
 */
export function parseTrustBundle(text: string): TrustBundle {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) return parseSpiffeBundle(JSON.parse(trimmed) as { keys?: unknown });
  const blocks = pemCertificates(trimmed);
  if (blocks.length === 0) throw new Error("no PEM certificate and not a SPIFFE bundle");
  return { x509Authorities: blocks.map((pem) => new X509Certificate(pem)), jwtAuthorities: [] };
}

function parseSpiffeBundle(document: { keys?: unknown }): TrustBundle {
  if (!Array.isArray(document.keys)) throw new Error("SPIFFE bundle has no keys array");
  const bundle: TrustBundle = { x509Authorities: [], jwtAuthorities: [] };
  for (const key of document.keys as Array<JWK & { use?: string }>) {
    if (key.use === "x509-svid") {
      const [der] = key.x5c ?? [];
      if (!der || key.x5c?.length !== 1)
        throw new Error("x509-svid key must have exactly one x5c certificate");
      bundle.x509Authorities.push(new X509Certificate(Buffer.from(der, "base64")));
    } else if (key.use === "jwt-svid") {
      if (!key.kid) throw new Error("jwt-svid key must have a kid");
      bundle.jwtAuthorities.push({ ...key, use: "sig" });
    }
    // Keys for other uses are ignored, as the specification requires.
  }
  return bundle;
}

/** A parsed, valid SPIFFE ID (SPIFFE-ID specification §2). */
export interface SpiffeId {
  /** The whole ID, `spiffe://trust-domain/path`. */
  id: string;
  trustDomain: string;
  /** `""` or `/seg/seg`. */
  path: string;
}

/** The SPIFFE ID breaks a rule; `reason` names which. */
export class SpiffeIdError extends Error {
  override readonly name = "SpiffeIdError";
}

const SCHEME = "spiffe://";
const TRUST_DOMAIN_CHAR = /^[a-z0-9._-]+$/;
const SEGMENT_CHAR = /^[A-Za-z0-9._-]+$/;

/**
 * Parses a SPIFFE ID by the specification's rules: the `spiffe` scheme; a trust domain of
 * lowercase `[a-z0-9._-]` (so no userinfo, port or uppercase); a path of non-empty segments of
 * `[A-Za-z0-9._-]` that are not `.` or `..`, without percent-encoding or a trailing slash; no
 * query or fragment; at most 2048 bytes (trust domain at most 255). Throws {@link SpiffeIdError}.
 */
export function parseSpiffeId(text: string): SpiffeId {
  if (Buffer.byteLength(text) > 2048) throw new SpiffeIdError("SPIFFE ID longer than 2048 bytes");
  if (!text.startsWith(SCHEME)) throw new SpiffeIdError("SPIFFE ID scheme must be spiffe://");
  const rest = text.slice(SCHEME.length);
  if (rest.includes("?")) throw new SpiffeIdError("SPIFFE ID must not have a query");
  if (rest.includes("#")) throw new SpiffeIdError("SPIFFE ID must not have a fragment");
  if (rest.includes("%")) throw new SpiffeIdError("SPIFFE ID must not be percent-encoded");
  const slash = rest.indexOf("/");
  const trustDomain = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? "" : rest.slice(slash);
  checkTrustDomain(trustDomain);
  checkPath(path);
  return { id: text, trustDomain, path };
}

/** Validates a trust domain name on its own (config keys). Throws {@link SpiffeIdError}. */
export function checkTrustDomain(trustDomain: string): void {
  if (trustDomain === "") throw new SpiffeIdError("SPIFFE ID trust domain is empty");
  if (trustDomain.includes("@")) throw new SpiffeIdError("SPIFFE ID must not have userinfo");
  if (trustDomain.includes(":")) throw new SpiffeIdError("SPIFFE ID must not have a port");
  if (trustDomain.length > 255)
    throw new SpiffeIdError("SPIFFE ID trust domain longer than 255 bytes");
  if (!TRUST_DOMAIN_CHAR.test(trustDomain)) {
    throw new SpiffeIdError("SPIFFE ID trust domain must be lowercase [a-z0-9._-]");
  }
}

function checkPath(path: string): void {
  if (path === "") return;
  const segments = path.slice(1).split("/");
  for (const [i, segment] of segments.entries()) {
    if (segment === "") {
      const trailing = i === segments.length - 1;
      throw new SpiffeIdError(
        trailing ? "SPIFFE ID must not end with a slash" : "SPIFFE ID has an empty path segment",
      );
    }
    if (segment === "." || segment === "..") throw new SpiffeIdError("SPIFFE ID has a dot segment");
    if (!SEGMENT_CHAR.test(segment))
      throw new SpiffeIdError("SPIFFE ID path must be [A-Za-z0-9._-]");
  }
}

import { createHash } from "node:crypto";
import { compactVerify, decodeProtectedHeader, importSPKI, type KeyObject } from "jose";
import { LosslessNumber, parse } from "lossless-json";
import { AuthzError } from "../errors.js";
import type { BundleFiles } from "./bundle-files.js";

/** How bundles must be signed (OPA's bundle signing: a JWT in `.signatures.json`). */
export interface SigningPolicy {
  /** PEM public key. */
  publicKey: string;
  /** RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512. */
  algorithm: string;
  /** Key id the token must name when it names one (`kid` header, or `keyid` claim). */
  keyId: string;
  /** Required `scope` claim, when set. */
  scope?: string;
}

export const SIGNATURES_FILE = ".signatures.json";
const HASHES: Record<string, string> = {
  "SHA-256": "sha256",
  "SHA-384": "sha384",
  "SHA-512": "sha512",
};
const invalid = (message: string) => new AuthzError("bundle_invalid", `signature: ${message}`);

/**
 * Verifies a bundle's signature the way OPA does: the first JWT in `.signatures.json` must be
 * signed by the configured key, and its `files` must list every other file of the bundle, each
 * with a matching hash (JSON documents hashed in OPA's canonical form, everything else as bytes).
 * A file added, removed or changed fails. Throws `AuthzError("bundle_invalid")`.
 */
export async function verifyBundleSignature(
  files: BundleFiles,
  policy: SigningPolicy,
): Promise<void> {
  const document = files.get(SIGNATURES_FILE);
  if (!document) throw invalid("bundle is not signed (no .signatures.json)");
  const token = signaturesOf(document);
  if (!Array.isArray(token) || typeof token[0] !== "string")
    throw invalid(".signatures.json has no signature");
  const key = (await importSPKI(policy.publicKey, policy.algorithm)) as KeyObject;
  let claims: {
    files?: Array<{ name?: string; hash?: string; algorithm?: string }>;
    keyid?: string;
    scope?: string;
  };
  try {
    const header = decodeProtectedHeader(token[0]);
    const { payload } = await compactVerify(token[0], key, { algorithms: [policy.algorithm] });
    claims = JSON.parse(new TextDecoder().decode(payload));
    // A key id in the token must be the configured one; none at all means the configured key.
    const keyId = header.kid ?? claims.keyid;
    if (keyId !== undefined && keyId !== policy.keyId) {
      throw invalid(`key id ${JSON.stringify(keyId)} is not ${policy.keyId}`);
    }
  } catch (error) {
    if (error instanceof AuthzError) throw error;
    throw invalid(`JWT does not verify (${(error as Error).message})`);
  }
  if (policy.scope !== undefined && claims.scope !== policy.scope)
    throw invalid(`scope is not ${policy.scope}`);
  checkFiles(files, claims.files ?? []);
}

/** The `signatures` of `.signatures.json`. */
function signaturesOf(document: Buffer): unknown {
  try {
    return (JSON.parse(document.toString("utf8")) as { signatures?: unknown } | null)?.signatures;
  } catch (error) {
    throw invalid(`${SIGNATURES_FILE} is not JSON: ${(error as Error).message}`);
  }
}

function checkFiles(
  files: BundleFiles,
  listed: Array<{ name?: string; hash?: string; algorithm?: string }>,
): void {
  const seen = new Set<string>();
  for (const entry of listed) {
    const name = (entry.name ?? "").replace(/^\/+/, "");
    const content = files.get(name);
    if (!content) throw invalid(`${name} is signed but missing from the bundle`);
    const algorithm = HASHES[entry.algorithm ?? "SHA-256"];
    if (!algorithm) throw invalid(`${name}: hash algorithm ${entry.algorithm} is not accepted`);
    if (fileHash(name, content, algorithm) !== entry.hash)
      throw invalid(`${name} does not match its signed hash`);
    seen.add(name);
  }
  for (const name of files.keys()) {
    if (name !== SIGNATURES_FILE && !seen.has(name))
      throw invalid(`${name} is in the bundle but not signed`);
  }
}

/** OPA hashes data documents and the manifest structurally, so whitespace and key order do not matter. */
function fileHash(name: string, content: Buffer, algorithm: string): string {
  const hash = createHash(algorithm);
  const base = name.split("/").pop();
  if (base === "data.json" || base === ".manifest")
    hashJson(
      parse(content.toString("utf8"), null, (text) => new LosslessNumber(text)),
      hash,
    );
  else hash.update(content);
  return hash.digest("hex");
}

/** OPA's `walk`: `{` sorted `"key":value` pairs `}`, `[` values `]`, primitives as Go's JSON. */
function hashJson(value: unknown, hash: ReturnType<typeof createHash>): void {
  if (Array.isArray(value)) {
    hash.update("[");
    value.forEach((item, i) => {
      if (i > 0) hash.update(",");
      hashJson(item, hash);
    });
    hash.update("]");
  } else if (value !== null && typeof value === "object" && !(value instanceof LosslessNumber)) {
    hash.update("{");
    const keys = Object.keys(value).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    keys.forEach((key, i) => {
      if (i > 0) hash.update(",");
      hash.update(`${goString(key)}:`);
      hashJson((value as Record<string, unknown>)[key], hash);
    });
    hash.update("}");
  } else if (typeof value === "string") {
    hash.update(goString(value));
  } else {
    hash.update(value instanceof LosslessNumber ? value.value : JSON.stringify(value));
  }
}

/** Go's JSON string encoding without HTML escaping: like JSON.stringify, plus U+2028/U+2029 escaped. */
function goString(text: string): string {
  return JSON.stringify(text)
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

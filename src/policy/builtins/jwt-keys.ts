import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from "node:crypto";
import { LRUCache } from "lru-cache";

/** The JWS algorithms topdown knows (tokens.go tokenAlgorithms). */
export const TOKEN_ALGORITHMS = new Set([
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "HS256",
  "HS384",
  "HS512",
  "EdDSA",
]);

/**
 * One key to verify with, as topdown's getKeysFromCertOrJWK yields it: a public key, a private
 * key given as a JWK (usable by io.jwt.decode_verify, not by the io.jwt.verify_* builtins), or
 * the bytes of a symmetric ("oct") JWK; with the JWK's `alg` and `kid` ("" when absent).
 */
export interface VerificationKey {
  readonly alg: string;
  readonly kid: string;
  readonly key: KeyObject | Buffer;
  /** A JWK with private parts: Go's jwk.Export gives a private key, which verify_* refuses. */
  readonly isPrivate: boolean;
}

// Bounded: a policy reading keys from input could otherwise grow it without end.
const verificationKeys = new LRUCache<string, VerificationKey[] | Error>({ max: 256 });
const signingKeys = new LRUCache<string, KeyObject | Buffer | Error>({ max: 64 });

/**
 * The keys in a PEM certificate, a PEM public key, a JWK or a JWK set (parsed once per distinct
 * text, then served from a bounded cache; a text that fails keeps failing with the same error).
 */
export function verificationKeysOf(text: string): VerificationKey[] {
  let keys = verificationKeys.get(text);
  if (keys === undefined) {
    try {
      keys = parseVerificationKeys(text);
    } catch (error) {
      keys = error instanceof Error ? error : new Error(String(error));
    }
    verificationKeys.set(text, keys);
  }
  if (keys instanceof Error) throw keys;
  return keys;
}

function parseVerificationKeys(text: string): VerificationKey[] {
  const block = pemDecode(text);
  if (block !== undefined) {
    if (block.rest.length > 0) throw new Error("extra data after a PEM certificate block");
    if (block.type === "CERTIFICATE") {
      const key = new X509Certificate(block.der).publicKey;
      return [{ alg: "", kid: "", key, isPrivate: false }];
    }
    if (block.type === "PUBLIC KEY") {
      const key = createPublicKey({ key: block.der, format: "der", type: "spki" });
      return [{ alg: "", kid: "", key, isPrivate: false }];
    }
    throw new Error("failed to extract a Key from the PEM certificate");
  }
  const keys: VerificationKey[] = [];
  for (const jwk of jwkSet(text)) {
    const alg = typeof jwk.alg === "string" ? jwk.alg : "";
    const kid = typeof jwk.kid === "string" ? jwk.kid : "";
    const { key, isPrivate } = importJwk(jwk);
    // Keys of algorithms topdown does not know are skipped (after they parsed).
    if (alg !== "" && !TOKEN_ALGORITHMS.has(alg)) continue;
    keys.push({ alg, kid, key, isPrivate });
  }
  return keys;
}

/** The first key of a JWK or JWK set, for signing (cached like the verification keys). */
export function signingKeyOf(text: string): KeyObject | Buffer {
  let key = signingKeys.get(text);
  if (key === undefined) {
    try {
      const [first] = jwkSet(text);
      if (first === undefined) throw new Error("no keys found in JWK set");
      key =
        first.kty === "oct"
          ? importJwk(first).key
          : createPrivateKey({ key: first as import("node:crypto").JsonWebKey, format: "jwk" });
    } catch (error) {
      key = error instanceof Error ? error : new Error(String(error));
    }
    signingKeys.set(text, key);
  }
  if (key instanceof Error) throw key;
  return key;
}

type Jwk = Record<string, unknown>;

/** jwk.ParseString: one JWK, or a set under "keys". */
function jwkSet(text: string): Jwk[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error("failed to parse a JWK key (set)");
  }
  if (!isObject(value)) throw new Error("failed to parse a JWK key (set)");
  if ("keys" in value) {
    if (!Array.isArray(value.keys) || !value.keys.every(isObject)) {
      throw new Error("failed to parse a JWK key set");
    }
    return (value.keys as Jwk[]).map(knownAlg);
  }
  return [knownAlg(value)];
}

/** jwa's registry (jwx v3.1.1): an "alg" must name a signature, key or content encryption. */
const JWX_ALGORITHMS = new Set([
  ...TOKEN_ALGORITHMS,
  ...["ES256K", "Ed25519", "none", "dir", "RSA1_5", "RSA-OAEP", "RSA-OAEP-256", "RSA-OAEP-384"],
  ...["RSA-OAEP-512", "A128KW", "A192KW", "A256KW", "A128GCMKW", "A192GCMKW", "A256GCMKW"],
  ...["ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW", "PBES2-HS256+A128KW"],
  ...["PBES2-HS384+A192KW", "PBES2-HS512+A256KW", "A128CBC-HS256", "A192CBC-HS384"],
  ...["A256CBC-HS512", "A128GCM", "A192GCM", "A256GCM"],
]);

function knownAlg(jwk: Jwk): Jwk {
  if ("alg" in jwk && !(typeof jwk.alg === "string" && JWX_ALGORITHMS.has(jwk.alg))) {
    throw new Error("failed to parse a JWK key (set): invalid key algorithm");
  }
  return jwk;
}

function importJwk(jwk: Jwk): { key: KeyObject | Buffer; isPrivate: boolean } {
  if (jwk.kty === "oct") {
    if (typeof jwk.k !== "string") throw new Error("oct JWK without k");
    return { key: Buffer.from(jwk.k, "base64url"), isPrivate: false };
  }
  if (jwk.kty !== "RSA" && jwk.kty !== "EC" && jwk.kty !== "OKP") {
    throw new Error(`unsupported JWK key type ${String(jwk.kty)}`);
  }
  const isPrivate = typeof jwk.d === "string";
  const key = createPublicKey({ key: jwk as import("node:crypto").JsonWebKey, format: "jwk" });
  return { key, isPrivate };
}

function isObject(value: unknown): value is Jwk {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Go's pem.Decode, for the blocks keys come in: the first well-formed block anywhere in the
 * text, and what follows its END line.
 */
function pemDecode(text: string): { type: string; der: Buffer; rest: string } | undefined {
  const pattern =
    /(?:^|\n)-----BEGIN ([^\n]*?)-----[ \t\r]*\n([\s\S]*?)(?:^|\n)-----END \1-----[ \t\r]*(?:\n|$)/g;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const [whole, type = "", body = ""] = match;
    // Headers ("Proc-Type: …") end at the first blank line; Go skips them.
    const headerEnd = /\r?\n\r?\n/.exec(body);
    const hasHeaders = headerEnd !== null && body.slice(0, headerEnd.index).includes(":");
    const payload = hasHeaders ? body.slice(headerEnd.index + headerEnd[0].length) : body;
    const base64 = payload.replace(/[ \t\r\n]/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0) continue;
    return {
      type,
      der: Buffer.from(base64, "base64"),
      rest: text.slice(match.index + whole.length),
    };
  }
  return undefined;
}

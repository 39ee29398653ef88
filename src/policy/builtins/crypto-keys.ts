import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { unsignedBigInt } from "./crypto-der.js";
import { pemDecode, strictBase64 } from "./crypto-pem.js";

/** A private key parsed from PEM: the node key and Go's json.Marshal of the crypto.PrivateKey. */
export interface ParsedKey {
  readonly key: KeyObject;
  readonly go: unknown;
}

const PEM_TYPES: Record<string, "pkcs1" | "pkcs8" | "sec1"> = {
  "RSA PRIVATE KEY": "pkcs1",
  "PRIVATE KEY": "pkcs8",
  "EC PRIVATE KEY": "sec1",
};

/** One DER private key of the given PEM encoding, or Go's parse error. */
export function parsePrivateKeyDer(der: Buffer, type: "pkcs1" | "pkcs8" | "sec1"): ParsedKey {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: der, format: "der", type });
  } catch {
    throw new Error(`x509: failed to parse private key (${type})`);
  }
  return { key, go: goPrivateKey(key) };
}

/** Go's json.Marshal of *rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey. */
function goPrivateKey(key: KeyObject): unknown {
  const jwk = key.export({ format: "jwk" });
  const big = (v: string | undefined) => unsignedBigInt(Buffer.from(v ?? "", "base64url"));
  switch (key.asymmetricKeyType) {
    case "rsa":
      return {
        N: big(jwk.n),
        E: Number(big(jwk.e)),
        D: big(jwk.d),
        Primes: [big(jwk.p), big(jwk.q)],
        Precomputed: { Dp: big(jwk.dp), Dq: big(jwk.dq), Qinv: big(jwk.qi), CRTValues: [] },
      };
    case "ec":
      return { Curve: {}, X: big(jwk.x), Y: big(jwk.y), D: big(jwk.d) };
    case "ed25519":
      return Buffer.concat([
        Buffer.from(jwk.d ?? "", "base64url"),
        Buffer.from(jwk.x ?? "", "base64url"),
      ]);
    case "x25519":
      return {}; // *ecdh.PrivateKey: no exported fields
    default:
      throw new Error(`unsupported private key type ${key.asymmetricKeyType}`);
  }
}

/** topdown's getPrivateKeysFromPEMData: base64 (when it decodes), then every key PEM block. */
export function privateKeysFromPem(input: string): ParsedKey[] {
  const decoded = strictBase64(input);
  let rest = decoded ? decoded.toString("latin1") : input;
  const keys: ParsedKey[] = [];
  while (rest.length > 0) {
    const { block, rest: next } = pemDecode(rest);
    if (!block) break;
    rest = next;
    const type = PEM_TYPES[block.type];
    if (type) keys.push(parsePrivateKeyDer(block.bytes, type));
  }
  return keys;
}

/** The JWK jwx writes for a private key (node's JWK export has the same members). */
export function privateJwk(key: KeyObject): Record<string, unknown> {
  const jwk = key.export({ format: "jwk" }) as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(jwk)
      .sort()
      .map((k) => [k, jwk[k]]),
  );
}

/** Whether `key` is the private half of the SubjectPublicKeyInfo `spki`. */
export function keyMatches(key: KeyObject, spki: Buffer): boolean {
  const mine = createPublicKey(key).export({ format: "der", type: "spki" });
  const theirs = createPublicKey({ key: spki, format: "der", type: "spki" }).export({
    format: "der",
    type: "spki",
  });
  return Buffer.compare(mine, theirs) === 0;
}

import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type JsonWebKey,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import canonicalize from "canonicalize";

/** An Ed25519 private key and the id checkpoints name it by. */
export interface CheckpointSigner {
  keyId: string;
  key: KeyObject;
}

/** Verification keys by key id (`key_id` in a checkpoint). */
export type VerificationKeys = ReadonlyMap<string, KeyObject>;

/**
 * The RFC 7638 JWK thumbprint (base64url SHA-256 of `{"crv","kty","x"}`) of an Ed25519 key: the
 * default key id, so a rotated key file names a new key without a config change.
 */
export function keyThumbprint(key: KeyObject): string {
  const pub = key.type === "public" ? key : createPublicKey(key);
  const { crv, kty, x } = pub.export({ format: "jwk" });
  return createHash("sha256").update(JSON.stringify({ crv, kty, x })).digest("base64url");
}

/**
 * Reads a signing key: PEM (PKCS#8, `openssl genpkey -algorithm ed25519`). `keyId` defaults to
 * the key's thumbprint. Throws when the text is not an Ed25519 private key.
 */
export function parseSigningKey(pem: string, keyId?: string): CheckpointSigner {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== "ed25519") throw new Error("not an Ed25519 private key");
  return { keyId: keyId ?? keyThumbprint(key), key };
}

/**
 * Reads verification keys: a JWK Set (`{"keys": [{"kty":"OKP","crv":"Ed25519","x":…,"kid":…}]}`,
 * `kid` defaulting to the thumbprint) or PEM text with one or more SPKI public keys
 * (`-----BEGIN PUBLIC KEY-----`, each known by its thumbprint). Throws on anything else.
 */
export function parseVerificationKeys(text: string): VerificationKeys {
  const keys = new Map<string, KeyObject>();
  const add = (key: KeyObject, kid?: string) => {
    if (key.asymmetricKeyType !== "ed25519") throw new Error("a key is not an Ed25519 public key");
    keys.set(kid ?? keyThumbprint(key), key);
  };
  if (text.trimStart().startsWith("{")) {
    const set = JSON.parse(text) as { keys?: Array<JsonWebKey & { kid?: string }> };
    if (!Array.isArray(set.keys)) throw new Error("a JWK Set needs a keys array");
    for (const { kid, ...jwk } of set.keys) add(createPublicKey({ key: jwk, format: "jwk" }), kid);
  } else {
    const blocks = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
    for (const block of blocks) add(createPublicKey(block));
  }
  if (keys.size === 0) throw new Error("no public key found");
  return keys;
}

/** The public JWK Set entry of a signer (what `--keys` takes). */
export function publicJwk(signer: CheckpointSigner): JsonWebKey & { kid: string } {
  return { ...createPublicKey(signer.key).export({ format: "jwk" }), kid: signer.keyId };
}

/** What a checkpoint's signature covers: its JCS form without `signature` and `hash`. */
function signedBytes(checkpoint: Record<string, unknown>): Buffer {
  const { signature: _, hash: __, ...body } = checkpoint;
  return Buffer.from(canonicalize(body) ?? "null");
}

/** Adds `signature` (base64url Ed25519, RFC 8032) over the checkpoint's other fields. */
export function signCheckpoint<T extends Record<string, unknown>>(
  body: T,
  signer: CheckpointSigner,
): T & { signature: string } {
  return { ...body, signature: sign(null, signedBytes(body), signer.key).toString("base64url") };
}

/** Why a checkpoint's signature does not verify, or undefined when it does. */
export function checkpointProblem(
  checkpoint: Record<string, unknown>,
  keys: VerificationKeys,
): string | undefined {
  const { key_id: keyId, signature } = checkpoint;
  const key = typeof keyId === "string" ? keys.get(keyId) : undefined;
  if (!key) return `unknown key_id ${JSON.stringify(keyId)}`;
  if (typeof signature !== "string") return "no signature";
  const good = verify(null, signedBytes(checkpoint), key, Buffer.from(signature, "base64url"));
  return good ? undefined : `signature does not verify with key ${keyId}`;
}

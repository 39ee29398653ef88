import {
  createHmac,
  constants as cryptoConstants,
  type KeyObject,
  timingSafeEqual,
  verify,
} from "node:crypto";
import {
  base64UrlDecode,
  type EncodedToken,
  parseJsonObject,
  splitToken,
  stringOperand,
} from "./jwt-encoding.js";
import { type VerificationKey, verificationKeysOf } from "./jwt-keys.js";
import type { Builtin, BuiltinTable } from "./table.js";

/** A JWS algorithm's hash and family. */
interface Algorithm {
  readonly family: "RS" | "PS" | "ES" | "EdDSA" | "HS";
  readonly hash: string | null;
}

/** By JWS name, the algorithms jwsbb verifies for io.jwt.decode_verify. */
export const ALGORITHMS: Record<string, Algorithm> = {
  RS256: { family: "RS", hash: "sha256" },
  RS384: { family: "RS", hash: "sha384" },
  RS512: { family: "RS", hash: "sha512" },
  PS256: { family: "PS", hash: "sha256" },
  PS384: { family: "PS", hash: "sha384" },
  PS512: { family: "PS", hash: "sha512" },
  ES256: { family: "ES", hash: "sha256" },
  ES384: { family: "ES", hash: "sha384" },
  ES512: { family: "ES", hash: "sha512" },
  EdDSA: { family: "EdDSA", hash: null },
  HS256: { family: "HS", hash: "sha256" },
  HS384: { family: "HS", hash: "sha384" },
  HS512: { family: "HS", hash: "sha512" },
};

/** The decoded header of a token: an object, and not a JWE ("enc"). */
export function decodeHeader(token: EncodedToken): Record<string, unknown> {
  let bytes: Buffer;
  try {
    bytes = base64UrlDecode(token.header);
  } catch (error) {
    throw new Error(`JWT header had invalid encoding: ${(error as Error).message}`);
  }
  const header = parseJsonObject(bytes);
  if ("enc" in header) throw new Error("JWT is a JWE object, which is not supported");
  return header;
}

/** The registered header parameters topdown reads (parseTokenHeader), type-checked. */
export interface TokenHeader {
  readonly alg: string;
  readonly kid: string;
  readonly cty: string;
  /** RFC 7515 4.1.1 and 4.1.11: alg present, no critical parameter left unknown. */
  readonly valid: boolean;
}

const KNOWN_HEADERS = new Set(["alg", "kid", "typ", "cty", "crit"]);

export function parseTokenHeader(header: Record<string, unknown>): TokenHeader {
  const strings = { alg: "", kid: "", typ: "", cty: "" };
  let crit = new Set<string>();
  const unknown: string[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (!KNOWN_HEADERS.has(name)) {
      unknown.push(name);
    } else if (name === "crit") {
      if (!Array.isArray(value)) throw new Error("crit: must be a list");
      // topdown stops at the first non-string element and keeps what came before it.
      const leading = value.findIndex((element) => typeof element !== "string");
      crit = new Set((leading === -1 ? value : value.slice(0, leading)) as string[]);
      if (crit.size === 0) throw new Error("crit: must be a nonempty list");
    } else {
      if (typeof value !== "string") throw new Error(`${name}: must be a string`);
      strings[name as keyof typeof strings] = value;
    }
  }
  const { alg } = strings;
  return {
    alg,
    kid: strings.kid,
    cty: strings.cty,
    valid: alg !== "" && !unknown.some((name) => crit.has(name)),
  };
}

/** The decoded signature bytes. */
export function decodeSignature(token: EncodedToken): Buffer {
  return base64UrlDecode(token.signature);
}

/** The signing input of a token: `header.payload`. */
export function signingInput(token: EncodedToken): Buffer {
  return Buffer.from(`${token.header}.${token.payload}`);
}

/**
 * jwsbb.Verify as io.jwt.decode_verify uses it: the key must suit the algorithm's family (an
 * RSA, EC or Ed25519 key, private keys included; bytes for HMAC), PSS salts as long as the hash,
 * ECDSA signatures exactly twice the curve's size.
 */
export function jwsVerify(
  key: KeyObject | Buffer,
  algName: string,
  input: Buffer,
  signature: Buffer,
): boolean {
  const alg = Object.hasOwn(ALGORITHMS, algName) ? ALGORITHMS[algName] : undefined;
  if (alg === undefined) return false;
  if (alg.family === "HS") {
    return Buffer.isBuffer(key) && hmacEquals(key, alg.hash as string, input, signature);
  }
  if (Buffer.isBuffer(key)) return false;
  return verifyWith(key, alg, input, signature, "strict");
}

function hmacEquals(secret: Buffer, hash: string, input: Buffer, signature: Buffer): boolean {
  const mac = createHmac(hash, secret).update(input).digest();
  return mac.length === signature.length && timingSafeEqual(mac, signature);
}

/** One asymmetric verification; `loose` is the io.jwt.verify_* builtins' own rules. */
function verifyWith(
  key: KeyObject,
  alg: Algorithm,
  input: Buffer,
  signature: Buffer,
  mode: "strict" | "loose",
): boolean {
  const type = key.asymmetricKeyType;
  try {
    switch (alg.family) {
      case "RS":
        return type === "rsa" && verify(alg.hash, input, key, signature);
      case "PS":
        return (
          (type === "rsa" || type === "rsa-pss") &&
          verify(
            alg.hash,
            input,
            {
              key,
              padding: cryptoConstants.RSA_PKCS1_PSS_PADDING,
              saltLength:
                mode === "strict"
                  ? cryptoConstants.RSA_PSS_SALTLEN_DIGEST
                  : cryptoConstants.RSA_PSS_SALTLEN_AUTO,
            },
            signature,
          )
        );
      case "ES": {
        if (type !== "ec") return false;
        const size = curveSize(key);
        if (mode === "strict" && signature.length !== 2 * size) return false;
        // verifyES splits the signature in half whatever its length.
        const half = Math.floor(signature.length / 2);
        const der = derSignature(signature.subarray(0, half), signature.subarray(half));
        return verify(alg.hash, input, { key, dsaEncoding: "der" }, der);
      }
      case "EdDSA":
        return type === "ed25519" && verify(null, input, key, signature);
      default:
        return false;
    }
  } catch {
    return false;
  }
}

function curveSize(key: KeyObject): number {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve === "prime256v1" || curve === "secp256k1") return 32;
  if (curve === "secp384r1") return 48;
  if (curve === "secp521r1") return 66;
  return 0;
}

/** r and s (big-endian, any length) as a DER ECDSA-Sig-Value. */
function derSignature(r: Buffer, s: Buffer): Buffer {
  const integer = (bytes: Buffer): Buffer => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    let body = bytes.subarray(start);
    if (body.length === 0) body = Buffer.from([0]);
    if ((body[0] ?? 0) & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
    return Buffer.concat([Buffer.from([0x02]), derLength(body.length), body]);
  };
  const content = Buffer.concat([integer(r), integer(s)]);
  return Buffer.concat([Buffer.from([0x30]), derLength(content.length), content]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  if (length < 0x100) return Buffer.from([0x81, length]);
  return Buffer.from([0x82, length >> 8, length & 0xff]);
}

/**
 * builtinJWTVerify: the key whose kid the token names, else each key whose alg is absent or the
 * token's; true when one verifies. Keys are public keys only (a private JWK never verifies).
 */
function verifyToken(jwt: unknown, keyText: unknown, alg: Algorithm): boolean {
  const token = splitToken(jwt);
  const keys = verificationKeysOf(stringOperand(keyText, 2));
  const signature = decodeSignature(token);
  const header = parseTokenHeader(decodeHeader(token));
  const input = signingInput(token);
  const check = (key: VerificationKey): boolean =>
    !key.isPrivate &&
    !Buffer.isBuffer(key.key) &&
    verifyWith(key.key, alg, input, signature, "loose");
  if (header.kid !== "") {
    const named = keys.find((key) => key.kid === header.kid);
    if (named !== undefined) return check(named);
  }
  return keys.some((key) => (key.alg === "" || key.alg === header.alg) && check(key));
}

/** builtinJWTVerifyHS: HMAC of `header.payload` with the secret's bytes; the header unread. */
function verifyHmac(jwt: unknown, secret: unknown, hash: string): boolean {
  const text = stringOperand(jwt, 1);
  const key = Buffer.from(stringOperand(secret, 2));
  const token = splitToken(text);
  return hmacEquals(key, hash, signingInput(token), decodeSignature(token));
}

function asymmetric(name: string): Builtin {
  const alg = ALGORITHMS[name] as Algorithm;
  return (_context, jwt: unknown, key: unknown) => verifyToken(jwt, key, alg);
}

function hmac(hash: string): Builtin {
  return (_context, jwt: unknown, secret: unknown) => verifyHmac(jwt, secret, hash);
}

/** io.jwt.verify_{rs,ps,es,hs}{256,384,512} and io.jwt.verify_eddsa. */
export const jwtVerifyBuiltins: BuiltinTable = {
  "io.jwt.verify_rs256": asymmetric("RS256"),
  "io.jwt.verify_rs384": asymmetric("RS384"),
  "io.jwt.verify_rs512": asymmetric("RS512"),
  "io.jwt.verify_ps256": asymmetric("PS256"),
  "io.jwt.verify_ps384": asymmetric("PS384"),
  "io.jwt.verify_ps512": asymmetric("PS512"),
  "io.jwt.verify_es256": asymmetric("ES256"),
  "io.jwt.verify_es384": asymmetric("ES384"),
  "io.jwt.verify_es512": asymmetric("ES512"),
  "io.jwt.verify_eddsa": asymmetric("EdDSA"),
  "io.jwt.verify_hs256": hmac("sha256"),
  "io.jwt.verify_hs384": hmac("sha384"),
  "io.jwt.verify_hs512": hmac("sha512"),
};

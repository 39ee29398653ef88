import { createHmac, constants as cryptoConstants, type KeyObject, sign } from "node:crypto";
import { base64UrlEncode, goJson, stringOperand } from "./jwt-encoding.js";
import { signingKeyOf, TOKEN_ALGORITHMS } from "./jwt-keys.js";
import { ALGORITHMS } from "./jwt-verify.js";
import type { BuiltinTable } from "./table.js";

/**
 * commonBuiltinJWTEncodeSign: the compact JWS of the header and payload text as given, signed
 * with the first key of the JWK (set) by the header's alg. A payload must be JSON unless the
 * header's typ is a string other than "JWT".
 */
function encodeSign(headerText: string, payloadText: string, keyText: string): string {
  const key = signingKeyOf(keyText);
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch {
    throw new Error("missing or invalid 'alg' header");
  }
  const fields = (header !== null && typeof header === "object" ? header : {}) as Record<
    string,
    unknown
  >;
  const alg = fields.alg;
  if (typeof alg !== "string") throw new Error("missing or invalid 'alg' header");
  if (!TOKEN_ALGORITHMS.has(alg)) throw new Error(`unknown JWS algorithm: ${alg}`);
  if (typeof fields.typ !== "string" || fields.typ === "JWT") {
    try {
      JSON.parse(payloadText);
    } catch {
      throw new Error("type is JWT but payload is not JSON");
    }
  }
  const input = `${base64UrlEncode(headerText)}.${base64UrlEncode(payloadText)}`;
  return `${input}.${base64UrlEncode(signWith(key, alg, Buffer.from(input)))}`;
}

function signWith(key: KeyObject | Buffer, algName: string, input: Buffer): Buffer {
  // encodeSign checked algName against TOKEN_ALGORITHMS, the names of ALGORITHMS.
  const alg = ALGORITHMS[algName] as NonNullable<(typeof ALGORITHMS)[string]>;
  if (alg.family === "HS") {
    if (!Buffer.isBuffer(key)) throw new Error("HMAC needs a symmetric (oct) key");
    return createHmac(alg.hash as string, key)
      .update(input)
      .digest();
  }
  if (Buffer.isBuffer(key)) throw new Error(`${algName} needs an asymmetric private key`);
  const type = key.asymmetricKeyType;
  switch (alg.family) {
    case "RS":
      if (type !== "rsa") throw new Error(`${algName} needs an RSA key`);
      return sign(alg.hash, input, key);
    case "PS":
      if (type !== "rsa") throw new Error(`${algName} needs an RSA key`);
      return sign(alg.hash, input, {
        key,
        padding: cryptoConstants.RSA_PKCS1_PSS_PADDING,
        saltLength: cryptoConstants.RSA_PSS_SALTLEN_DIGEST,
      });
    case "ES":
      if (type !== "ec") throw new Error(`${algName} needs an EC key`);
      return sign(alg.hash, input, { key, dsaEncoding: "ieee-p1363" });
    default:
      if (type !== "ed25519") throw new Error("EdDSA needs an Ed25519 key");
      return sign(null, input, key);
  }
}

/** io.jwt.encode_sign (header and payload as objects, written as Go's json.Marshal) and _raw. */
export const jwtSignBuiltins: BuiltinTable = {
  "io.jwt.encode_sign": (_context, header: unknown, payload: unknown, key: unknown) =>
    encodeSign(goJson(header), goJson(payload), goJson(key)),
  "io.jwt.encode_sign_raw": (_context, header: unknown, payload: unknown, key: unknown) => {
    const keyText = stringOperand(key, 3);
    return encodeSign(stringOperand(header, 1), stringOperand(payload, 2), keyText);
  },
};

import { jwtDecodeBuiltins } from "./jwt-decode.js";
import { jwtSignBuiltins } from "./jwt-sign.js";
import { jwtVerifyBuiltins } from "./jwt-verify.js";
import type { BuiltinTable } from "./table.js";

/**
 * The io.jwt builtins as OPA v1.19.1's topdown has them (topdown/tokens.go), synchronous on
 * node:crypto: decode, decode_verify, encode_sign(_raw) and the verify_* family. Key material
 * (PEM certificate or public key, JWK, JWK set) is parsed once per distinct text and kept in a
 * bounded cache; decode_verify keeps each signature check by key constraint and whole token
 * (never one token's for another), the claims checked on every call.
 */
export const jwtBuiltins: BuiltinTable = {
  ...jwtDecodeBuiltins,
  ...jwtVerifyBuiltins,
  ...jwtSignBuiltins,
};

import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { EvaluationContext } from "./context.js";
import { base64UrlDecode, type EncodedToken, parseJsonObject, splitToken } from "./jwt-encoding.js";
import { type VerificationKey, verificationKeysOf } from "./jwt-keys.js";
import {
  decodeHeader,
  decodeSignature,
  jwsVerify,
  parseTokenHeader,
  signingInput,
} from "./jwt-verify.js";
import type { BuiltinTable } from "./table.js";

type JsonObject = Record<string, unknown>;

/** io.jwt.decode: [header, payload, signature as hex], unverified; nested (cty JWT) unwrapped. */
function decode(jwt: unknown): [JsonObject, JsonObject, string] {
  const token = splitToken(jwt);
  const header = decodeHeader(token);
  let payload: Buffer;
  try {
    payload = base64UrlDecode(token.payload);
  } catch (error) {
    throw new Error(`JWT payload had invalid encoding: ${(error as Error).message}`);
  }
  if ("cty" in header) {
    if (typeof header.cty !== "string") throw new Error("cty: must be a string");
    if (header.cty === "JWT") return decode(trimQuotes(payload.toString("utf8")));
  }
  const claims = parseJsonObject(payload);
  let signature: Buffer;
  try {
    signature = decodeSignature(token);
  } catch (error) {
    throw new Error(`JWT signature had invalid encoding: ${(error as Error).message}`);
  }
  return [header, claims, signature.toString("hex")];
}

function trimQuotes(text: string): string {
  // Linear trimming: an unanchored `/["']+$/` retries from every quote (quadratic on a token).
  let start = 0;
  let end = text.length;
  while (start < end && (text[start] === '"' || text[start] === "'")) start++;
  while (end > start && (text[end - 1] === '"' || text[end - 1] === "'")) end--;
  return text.slice(start, end);
}

/** decode_verify's constraints object, as parseTokenConstraints and validate read it. */
interface Constraints {
  keys: VerificationKey[] | undefined;
  secret: string;
  /** The key constraint as given (`cert` or `secret` and its text), for the signature cache. */
  material: string;
  alg: string;
  iss: string;
  aud: string;
  /** Nanoseconds, as a float64 (topdown's type). */
  time: number;
}

function parseConstraints(value: unknown, nowNs: bigint): Constraints {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error("operand 2 must be object");
  }
  const constraints: Constraints = {
    keys: undefined,
    secret: "",
    material: "",
    alg: "",
    iss: "",
    aud: "",
    time: -1,
  };
  for (const [name, v] of Object.entries(value)) {
    if (name === "cert") {
      if (typeof v !== "string") throw new Error("cert constraint: must be a string");
      constraints.keys = verificationKeysOf(v);
      constraints.material = `cert\0${v}`;
    } else if (name === "secret" || name === "alg" || name === "iss" || name === "aud") {
      if (typeof v !== "string") throw new Error(`${name} constraint: must be a string`);
      constraints[name] = v;
      if (name === "secret") constraints.material = `secret\0${v}`;
    } else if (name === "time") {
      if (typeof v !== "number") throw new Error("token time constraint: must be a number");
      if (v < 0) throw new Error("token time constraint: must not be negative");
      constraints.time = v;
    } else {
      throw new Error(`unknown token validation constraint: ${name}`);
    }
  }
  if (constraints.time === -1) constraints.time = Number(nowNs);
  const keyConstraints = (constraints.keys !== undefined ? 1 : 0) + (constraints.secret ? 1 : 0);
  if (keyConstraints > 1) throw new Error("duplicate key constraints");
  if (keyConstraints < 1) throw new Error("no key constraint");
  return constraints;
}

/**
 * Signature checks already made, by a digest of the key constraint, the algorithm and the whole
 * token: the same token against the same keys verifies the same way every time, and a policy
 * calls decode_verify on every request that carries it. Different tokens never share an entry,
 * and the claims (iss, aud, exp, nbf) are checked on every call at the evaluation's time.
 */
const signatureChecks = new LRUCache<string, boolean>({ max: 4096 });

function verifySignatureOnce(
  constraints: Constraints,
  header: { kid: string; alg: string },
  token: EncodedToken,
): boolean {
  const digest = createHash("sha256")
    .update(`${constraints.material}\0${header.alg}\0${header.kid}\0`)
    .update(`${token.header}.${token.payload}.${token.signature}`)
    .digest("base64");
  let valid = signatureChecks.get(digest);
  if (valid === undefined) {
    valid = verifySignature(
      constraints,
      header.kid,
      header.alg,
      signingInput(token),
      decodeSignature(token),
    );
    signatureChecks.set(digest, valid);
  }
  return valid;
}

/** tokenConstraints.verify: the kid's key alone when it names one, else any fitting key. */
function verifySignature(
  constraints: Constraints,
  kid: string,
  alg: string,
  input: Buffer,
  signature: Buffer,
): boolean {
  const { keys } = constraints;
  if (keys !== undefined) {
    if (kid !== "") {
      const named = keys.find((key) => key.kid === kid);
      if (named !== undefined) return jwsVerify(named.key, alg, input, signature);
    }
    return keys.some(
      (key) => (key.alg === "" || key.alg === alg) && jwsVerify(key.key, alg, input, signature),
    );
  }
  return jwsVerify(Buffer.from(constraints.secret), alg, input, signature);
}

const UNVERIFIED: [false, JsonObject, JsonObject] = [false, {}, {}];

/**
 * io.jwt.decode_verify: [true, header, payload] when the signature verifies with the
 * constraints' key(s) and the claims meet iss, aud, exp and nbf at the constraints' time (else
 * the evaluation's time); [false, {}, {}] when either fails; an error for malformed input.
 */
function decodeVerify(
  context: EvaluationContext,
  jwt: unknown,
  constraintsValue: unknown,
): [boolean, JsonObject, JsonObject] {
  const constraints = parseConstraints(constraintsValue, context.nowNs);
  let current: unknown = jwt;
  let header: JsonObject;
  let payloadBytes: Buffer;
  for (;;) {
    const token = splitToken(current);
    header = decodeHeader(token);
    const parsed = parseTokenHeader(header);
    if (!parsed.valid) return UNVERIFIED;
    if (constraints.alg !== "" && constraints.alg !== parsed.alg) return UNVERIFIED;
    if (!verifySignatureOnce(constraints, parsed, token)) return UNVERIFIED;
    try {
      payloadBytes = base64UrlDecode(token.payload);
    } catch (error) {
      throw new Error(`JWT payload had invalid encoding: ${(error as Error).message}`);
    }
    if (parsed.cty.toLowerCase() !== "jwt") break;
    current = payloadBytes.toString("utf8");
  }
  const payload = parseJsonObject(payloadBytes);
  return meetsClaims(constraints, payload) ? [true, header, payload] : UNVERIFIED;
}

function meetsClaims(constraints: Constraints, payload: JsonObject): boolean {
  if (constraints.iss !== "") {
    if (!("iss" in payload)) return false;
    if (typeof payload.iss !== "string") throw new Error("iss must be a string");
    if (payload.iss !== constraints.iss) return false;
  }
  if ("aud" in payload) {
    const { aud } = payload;
    const matches =
      typeof aud === "string"
        ? aud === constraints.aud
        : Array.isArray(aud) && aud.some((element) => element === constraints.aud);
    if (!matches) return false;
  } else if (constraints.aud !== "") {
    return false;
  }
  const seconds = constraints.time / 1e9;
  if ("exp" in payload) {
    if (typeof payload.exp !== "number") throw new Error("exp value must be a number");
    if (seconds >= payload.exp) return false;
  }
  if ("nbf" in payload) {
    if (typeof payload.nbf !== "number") throw new Error("nbf value must be a number");
    if (seconds < payload.nbf) return false;
  }
  return true;
}

/** io.jwt.decode and io.jwt.decode_verify. */
export const jwtDecodeBuiltins: BuiltinTable = {
  "io.jwt.decode": (_context, jwt: unknown) => decode(jwt),
  "io.jwt.decode_verify": (context, jwt: unknown, constraints: unknown) =>
    decodeVerify(context, jwt, constraints),
};

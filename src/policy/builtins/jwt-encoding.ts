/**
 * Byte-level pieces of topdown's io.jwt builtins (topdown/tokens.go, encoding.go): base64url as
 * `base64.url_decode` reads it, the three-part split, JSON objects as `json.unmarshal` reads them,
 * and JSON as Go's `json.Marshal` writes it (for the signing builtins).
 */

/** A compact JWS split into its three encoded parts. */
export interface EncodedToken {
  readonly header: string;
  readonly payload: string;
  readonly signature: string;
}

/** topdown's decodeJWT: a string with exactly three dot-separated parts. */
export function splitToken(value: unknown): EncodedToken {
  const text = stringOperand(value, 1);
  if (!text.includes(".")) throw new Error("encoded JWT had no period separators");
  const parts = text.split(".");
  if (parts.length !== 3) {
    throw new Error(`encoded JWT must have 3 sections, found ${parts.length}`);
  }
  const [header = "", payload = "", signature = ""] = parts;
  return { header, payload, signature };
}

/** The operand as a string, else the builtin error topdown gives. */
export function stringOperand(value: unknown, position: number): string {
  if (typeof value !== "string") throw new Error(`operand ${position} must be string`);
  return value;
}

const URL_ALPHABET = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * `base64.url_decode`: padding added when absent (RFC 7515 appendix C), then Go's strict
 * URL-alphabet decoding (CR and LF ignored, as Go does).
 */
export function base64UrlDecode(text: string): Buffer {
  let s = text.replace(/[\r\n]/g, "");
  if (!s.endsWith("=")) {
    const rest = s.length % 4;
    if (rest === 1) throw new Error("illegal base64url string");
    if (rest !== 0) s += "=".repeat(4 - rest);
  }
  if (s.length % 4 !== 0 || !URL_ALPHABET.test(s)) throw new Error("illegal base64 data");
  // Linear trimming: an unanchored `/=+$/` is quadratic on a run of `=`.
  let end = s.length;
  while (end > 0 && s[end - 1] === "=") end--;
  // At most two "=" and a length of 4n (checked above): the body is never 4n or 4n+1 long.
  return Buffer.from(s.slice(0, end), "base64url");
}

/** base64url without padding, as JWS writes it. */
export function base64UrlEncode(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString("base64url");
}

/** `json.unmarshal` of decoded bytes that must give an object (last duplicate key wins). */
export function parseJsonObject(bytes: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new Error(`invalid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error("decoded JSON type was not an Object");
  }
  return value as Record<string, unknown>;
}

/** Go's `json.Marshal`: keys sorted by bytes, `<`, `>`, `&`, U+2028 and U+2029 escaped. */
export function goJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return goString(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error("json: unsupported value");
    return JSON.stringify(value);
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value)) return `[${value.map(goJson).join(",")}]`;
  if (typeof value === "object") {
    const keys = Object.keys(value).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const record = value as Record<string, unknown>;
    return `{${keys.map((key) => `${goString(key)}:${goJson(record[key])}`).join(",")}}`;
  }
  throw new Error("json: unsupported value");
}

const GO_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

function goString(text: string): string {
  // toWellFormed: a lone surrogate is invalid UTF-8 on Go's side, written as U+FFFD.
  const wellFormed = text.replace(
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    "\ufffd",
  );
  // biome-ignore lint/suspicious/noControlCharactersInRegex: Go's encoding/json escapes U+0000–U+001F, so the class must match them
  const escaped = wellFormed.replace(/["\\\u0000-\u001f<>&\u2028\u2029]/g, (c: string) => {
    return GO_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
  return `"${escaped}"`;
}

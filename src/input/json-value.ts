import { LosslessNumber, parse, stringify } from "lossless-json";

/**
 * A JSON value as the policy sees it. Numbers that a float64 cannot hold exactly stay
 * {@link LosslessNumber}s, so `12345678901234567890` reaches the policy digit for digit, as OPA's
 * Go runtime keeps it (json.Number).
 */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | LosslessNumber
  | JsonValue[]
  | { [key: string]: JsonValue };

/** Go's encoding/json stops at this nesting depth; so do we, before the parser recurses. */
export const MAX_JSON_DEPTH = 10_000;

/**
 * A number as the policy should see it: a plain number where it prints back as the same text,
 * else a {@link LosslessNumber} carrying the text (Go keeps `json.Number` text: `-0`, `1.0`, `1e3`).
 */
export function toJsonNumber(digits: string): number | LosslessNumber {
  const value = Number(digits);
  return String(value) === digits && !Object.is(value, -0) ? value : new LosslessNumber(digits);
}

/**
 * Parses JSON text keeping big numbers exact. Throws SyntaxError on invalid JSON (including
 * duplicate keys and nesting deeper than {@link MAX_JSON_DEPTH}).
 */
export function parseJson(text: string): JsonValue {
  if (nestingDepth(text) > MAX_JSON_DEPTH) {
    throw new SyntaxError(`exceeded max depth of ${MAX_JSON_DEPTH}`);
  }
  return parse(text, null, toJsonNumber) as JsonValue;
}

/**
 * Serializes a document that may hold {@link LosslessNumber}s. The native serializer does the
 * work; only when its output shows a LosslessNumber (whose own field serializes as the text below,
 * quotes unescaped, which no string can produce) does lossless-json redo it, digits intact.
 */
export function stringifyJson(value: unknown): string {
  const text = JSON.stringify(value) ?? "null";
  return text.includes(LOSSLESS_NUMBER_FIELD) ? (stringify(value) ?? "null") : text;
}

const LOSSLESS_NUMBER_FIELD = '"isLosslessNumber":true';

function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

import { LosslessNumber, stringify } from "lossless-json";
import { restoreInexact, scanJson } from "./json-scan.js";

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

/** Bounds on a JSON text, so that parsing it costs bounded time and memory. */
export interface JsonLimits {
  /** Deepest nesting of arrays and objects. */
  maxDepth: number;
  /** Most values (scalars, arrays and objects, object keys not counted). */
  maxValues: number;
  /** Longest string (object keys included), in UTF-16 code units of the JSON text. */
  maxStringLength: number;
}

/** Go's encoding/json stops at depth 10000; with no other bound given, so do we. */
export const UNBOUNDED_JSON: JsonLimits = {
  maxDepth: 10_000,
  maxValues: Number.POSITIVE_INFINITY,
  maxStringLength: Number.POSITIVE_INFINITY,
};

/**
 * A number as the policy should see it: a plain number where it prints back as the same text,
 * else a {@link LosslessNumber} carrying the text (Go keeps `json.Number` text: `-0`, `1.0`, `1e3`).
 */
export function toJsonNumber(digits: string): number | LosslessNumber {
  const value = Number(digits);
  return String(value) === digits && !Object.is(value, -0) ? value : new LosslessNumber(digits);
}

/**
 * Parses JSON text keeping big numbers exact. A linear scan enforces `limits` first; V8's own
 * parser (iterative, native speed) builds the value; the few numbers a float64 would change are
 * then put back as {@link LosslessNumber}s. Throws SyntaxError on invalid JSON, on a duplicate
 * key in any object (a policy and the upstream service must not read different values), and on
 * text past the limits. Messages give a position, never the text itself (it may hold secrets).
 */
export function parseJson(text: string, limits: JsonLimits = UNBOUNDED_JSON): JsonValue {
  const scan = scanJson(text, limits, isInexact);
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch (error) {
    const position = /at position (\d+)/.exec((error as Error).message)?.[1];
    throw new SyntaxError(
      `invalid JSON${position === undefined ? "" : ` at position ${position}`}`,
    );
  }
  if (scan.members > 0 && countKeys(value) !== scan.members) {
    throw new SyntaxError("invalid JSON: duplicate key in an object");
  }
  return restoreInexact(text, value, scan.inexact, (digits) => new LosslessNumber(digits));
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

/** toJsonNumber would keep the text; checked without constructing (the text is not yet valid). */
function isInexact(digits: string): boolean {
  const value = Number(digits);
  return String(value) !== digits || Object.is(value, -0);
}

/** Own keys of every object in `value`, walked without recursion. */
function countKeys(value: JsonValue): number {
  let keys = 0;
  const pending: JsonValue[] = [value];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (typeof node !== "object" || node === null) continue;
    if (Array.isArray(node)) {
      for (const item of node) pending.push(item);
    } else {
      const own = Object.keys(node);
      keys += own.length;
      for (const key of own) pending.push((node as { [key: string]: JsonValue })[key] as JsonValue);
    }
  }
  return keys;
}

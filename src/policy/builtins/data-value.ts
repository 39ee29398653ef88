/**
 * Rego values as the data builtins see them (JSON, and `RegoSet`s for the builtins that take sets)
 * and the two things topdown does with them that JSON does not: its total order (ast.Compare),
 * which orders a set's members, and Go's `encoding/json` output.
 */
import { RegoSet } from "./rego-set.js";

/** Go's string order: by UTF-8 bytes, which is code point order (not UTF-16 units). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d =
      ((x[i] as string).codePointAt(0) as number) - ((y[i] as string).codePointAt(0) as number);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function rank(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === "boolean") return 1;
  if (typeof value === "number") return 2;
  if (typeof value === "string") return 3;
  if (Array.isArray(value)) return 6;
  if (value instanceof RegoSet) return 8;
  return 7;
}

function compareSequences(a: readonly unknown[], b: readonly unknown[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/**
 * ast.Compare: null < booleans < numbers < strings < arrays < objects < sets, then by content (a
 * set as the sequence of its sorted members).
 */
export function compareValues(a: unknown, b: unknown): number {
  const r = rank(a) - rank(b);
  if (r !== 0) return r;
  if (typeof a === "boolean") return Number(a) - Number(b);
  if (typeof a === "number") return a < (b as number) ? -1 : a > (b as number) ? 1 : 0;
  if (typeof a === "string") return compareStrings(a, b as string);
  if (Array.isArray(a)) return compareSequences(a, b as unknown[]);
  if (a instanceof RegoSet) return compareSequences(a.members, (b as RegoSet).members);
  if (a === null || typeof a !== "object") return 0;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const xs = Object.keys(x).sort(compareStrings);
  const ys = Object.keys(y).sort(compareStrings);
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const k = compareStrings(xs[i] as string, ys[i] as string);
    if (k !== 0) return k;
    const v = compareValues(x[xs[i] as string], y[ys[i] as string]);
    if (v !== 0) return v;
  }
  return xs.length - ys.length;
}

/** Structural equality, as Rego's `==` on JSON values. */
export function equalValues(a: unknown, b: unknown): boolean {
  return compareValues(a, b) === 0;
}

/** The set of `values`: deduplicated, in topdown's set order. */
export function setOf(values: unknown[]): RegoSet {
  const sorted = [...values].sort(compareValues);
  return new RegoSet(
    sorted.filter((value, i) => i === 0 || compareValues(sorted[i - 1], value) !== 0),
  );
}

/** Whether `set` holds a member equal to `value` (a binary search in its order). */
export function setHas(set: RegoSet, value: unknown): boolean {
  let low = 0;
  let high = set.members.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const c = compareValues(set.members[middle], value);
    if (c === 0) return true;
    if (c < 0) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

/** A Rego object: neither an array nor a set. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof RegoSet)
  );
}

/** A Go-style operand type error: what topdown reports when an argument has the wrong type. */
export function operandError(position: number, expected: string): Error {
  return new Error(`operand ${position} must be ${expected}`);
}

export function stringOperand(value: unknown, position: number): string {
  if (typeof value !== "string") throw operandError(position, "string");
  return value;
}

export function objectOperand(value: unknown, position: number): Record<string, unknown> {
  if (!isObject(value)) throw operandError(position, "object");
  return value;
}

function goString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (char === '"') out += '\\"';
    else if (char === "\\") out += "\\\\";
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (char === "\b") out += "\\b";
    else if (char === "\f") out += "\\f";
    // encoding/json escapes HTML characters and the JavaScript line separators.
    else if (code < 0x20 || char === "<" || char === ">" || char === "&")
      out += `\\u${code.toString(16).padStart(4, "0")}`;
    else if (code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16)}`;
    // A lone surrogate is what JSON's "\ud800" leaves in JavaScript; Go's decoder reads it as
    // U+FFFD, a valid rune that json.Marshal writes as itself.
    else if (code >= 0xd800 && code <= 0xdfff) out += "\ufffd";
    else out += char;
  }
  return `${out}"`;
}

/**
 * Go's json.Marshal (indent undefined) or json.MarshalIndent(value, prefix, indent): object
 * keys sorted by bytes, HTML characters escaped. Numbers are float64 here (see the docs), or
 * bigint (written exactly); NaN and infinities throw, as in Go.
 */
export function goJson(value: unknown, indent?: { prefix: string; indent: string }): string {
  const write = (v: unknown, depth: number): string => {
    const nl = indent ? `\n${indent.prefix}${indent.indent.repeat(depth + 1)}` : "";
    const end = indent ? `\n${indent.prefix}${indent.indent.repeat(depth)}` : "";
    const colon = indent ? ": " : ":";
    if (v === null || v === undefined) return "null";
    if (typeof v === "string") return goString(v);
    if (typeof v === "bigint") return v.toString();
    if (typeof v === "number" && !Number.isFinite(v))
      throw new Error(`json: unsupported value: ${v}`);
    if (typeof v === "number" || typeof v === "boolean") return JSON.stringify(v);
    // ast.JSON writes a set as the array of its members.
    if (v instanceof RegoSet) return write(v.members, depth);
    if (Array.isArray(v)) {
      if (v.length === 0) return "[]";
      return `[${v.map((item) => nl + write(item, depth + 1)).join(",")}${end}]`;
    }
    const entries = Object.keys(v as object).sort(compareStrings);
    if (entries.length === 0) return "{}";
    const o = v as Record<string, unknown>;
    const body = entries.map((k) => `${nl}${goString(k)}${colon}${write(o[k], depth + 1)}`);
    return `{${body.join(",")}${end}}`;
  };
  return write(value, 0);
}

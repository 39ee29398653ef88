/**
 * The parse tree of Go's text/template (parse/node.go), and its literal constants: numbers as
 * parse.newNumber reads them, strings and runes as strconv.Unquote does.
 */

export type Node =
  | { type: "text"; text: string }
  | { type: "action"; pipe: Pipe }
  | Control<"if">
  | Control<"with">
  | Control<"range">
  | { type: "template"; name: string; pipe?: Pipe }
  | { type: "break" | "continue" };

/** `{{if}}`, `{{with}}`, `{{range}}`: the pipeline, the body, the `{{else}}` part. */
export interface Control<T extends "if" | "with" | "range"> {
  type: T;
  pipe: Pipe;
  list: Node[];
  elseList?: Node[];
}

/** A pipeline: optional `$x :=`/`$x =` declarations, then commands joined by `|`. */
export interface Pipe {
  isAssign: boolean;
  decl: string[];
  cmds: Operand[][];
}

export type Operand =
  | { type: "field"; ident: string[] }
  | { type: "variable"; ident: string[] }
  | { type: "chain"; node: Operand; field: string[] }
  | { type: "identifier"; name: string }
  | { type: "dot" }
  | { type: "nil" }
  | { type: "bool"; value: boolean }
  | ({ type: "number" } & NumberConstant)
  | { type: "string"; text: string }
  | { type: "pipe"; pipe: Pipe };

/** parse.NumberNode: which Go types the literal fits, with its values. */
export interface NumberConstant {
  text: string;
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  isComplex: boolean;
  int: bigint;
  float: number;
}

const INT64_MIN = -(2n ** 63n);
const INT64_LIMIT = 2n ** 63n;
const UINT64_LIMIT = 2n ** 64n;

/** parse.newNumber for a number, complex or character constant token; throws as Go does. */
export function newNumber(
  text: string,
  token: "number" | "complex" | "charConstant",
): NumberConstant {
  const n = { text, isInt: false, isUint: false, isFloat: false, isComplex: false };
  if (token === "charConstant") {
    const [rune, tail] = unquoteChar(text, 1, "'");
    if (text.slice(tail) !== "'") throw new Error(`malformed character constant: ${text}`);
    return { ...n, isInt: true, isUint: true, isFloat: true, int: BigInt(rune), float: rune };
  }
  // Complex constants (1i, 1+2i) are accepted here and refused when executed.
  if (
    token === "complex" ||
    (text.endsWith("i") && parseDecimalFloat(text.slice(0, -1)) !== undefined)
  ) {
    return { ...n, isComplex: true, int: 0n, float: 0 };
  }
  const value = parseInteger(text);
  const isUint = value !== undefined && value >= 0n && value < UINT64_LIMIT && !/^[+-]/.test(text);
  const isInt = value !== undefined && value >= INT64_MIN && value < INT64_LIMIT;
  if (isInt || isUint) {
    const v = value as bigint;
    return {
      ...n,
      isInt,
      isUint: isUint || (isInt && v === 0n),
      isFloat: true,
      int: v,
      float: Number(v),
    };
  }
  if (/[pP]/.test(text)) throw new Error(`hexadecimal floating-point constants are not provided`);
  const f = parseDecimalFloat(text);
  if (f === undefined) throw new Error(`illegal number syntax: ${text}`);
  if (!/[.eEpP]/.test(text)) throw new Error(`integer overflow: ${text}`);
  const integral = Number.isInteger(f) && f >= -(2 ** 63) && f < 2 ** 63;
  const unsigned = Number.isInteger(f) && f >= 0 && f < 2 ** 64;
  return {
    ...n,
    isInt: integral,
    isUint: unsigned,
    isFloat: true,
    int: integral ? BigInt(f) : 0n,
    float: f,
  };
}

/** strconv.ParseInt(text, 0, ∞): sign, 0x/0o/0b or legacy 0 octal prefix, `_` separators. */
function parseInteger(text: string): bigint | undefined {
  const negative = text.startsWith("-");
  const s = /^[+-]/.test(text) ? text.slice(1) : text;
  let base = 10;
  let digits = s;
  if (s.length > 1 && s[0] === "0") {
    const prefix = (s[1] as string).toLowerCase();
    base = prefix === "x" ? 16 : prefix === "b" ? 2 : 8;
    digits = "xbo".includes(prefix) ? s.slice(2) : s.slice(1);
  }
  if (digits.includes("_")) {
    if (!underscoreOK(text)) return undefined;
    digits = digits.replaceAll("_", "");
  }
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base];
  if (!valid?.test(digits)) return undefined;
  const prefix = { 2: "0b", 8: "0o", 10: "", 16: "0x" }[base] ?? "";
  const value = BigInt(prefix + digits);
  return negative ? -value : value;
}

/** strconv.ParseFloat for decimal text; undefined on a syntax or range error. */
function parseDecimalFloat(text: string): number | undefined {
  const m = /^[+-]?([0-9_]*(?:\.[0-9_]*)?)(?:[eE][+-]?[0-9][0-9_]*)?$/.exec(text);
  if (!m || !/[0-9]/.test(m[1] as string)) return undefined;
  if (text.includes("_") && !underscoreOK(text)) return undefined;
  const f = Number(text.replaceAll("_", ""));
  return Number.isFinite(f) ? f : undefined;
}

/** strconv's underscoreOK: `_` only between digits, or between a base prefix and a digit. */
function underscoreOK(text: string): boolean {
  let saw = "^";
  let s = /^[+-]/.test(text) ? text.slice(1) : text;
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && "bBoOxX".includes(s[1] as string)) {
    hex = "xX".includes(s[1] as string);
    s = s.slice(2);
    saw = "0";
  }
  for (const c of s) {
    if (/[0-9]/.test(c) || (hex && /[a-fA-F]/.test(c))) saw = "0";
    else if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
    } else {
      if (saw === "_") return false;
      saw = "!";
    }
  }
  return saw !== "_";
}

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };

/**
 * strconv.UnquoteChar at `at` of `s`: [the rune or byte value, index after it, whether it is a
 * single byte (\x, octal)]. Throws on a bad escape or an unescaped quote.
 */
export function unquoteChar(s: string, at: number, quote: string): [number, number, boolean] {
  const c = s.codePointAt(at);
  if (c === undefined) throw new Error("invalid syntax");
  const ch = String.fromCodePoint(c);
  if (ch === quote && (quote === "'" || quote === '"')) throw new Error("invalid syntax");
  if (ch !== "\\") return [c, at + ch.length, false];
  const e = s[at + 1] ?? "";
  const simple = SIMPLE_ESCAPES[e];
  if (simple !== undefined) return [simple, at + 2, false];
  if (e === "\\" || (e === quote && (e === "'" || e === '"')))
    return [e.charCodeAt(0), at + 2, false];
  const hexLength = { x: 2, u: 4, U: 8 }[e];
  if (hexLength !== undefined) {
    const digits = s.slice(at + 2, at + 2 + hexLength);
    if (digits.length !== hexLength || !/^[0-9a-fA-F]+$/.test(digits)) {
      throw new Error("invalid syntax");
    }
    const v = Number.parseInt(digits, 16);
    if (e !== "x" && (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)))
      throw new Error("invalid syntax");
    return [v, at + 2 + hexLength, e === "x"];
  }
  const octal = s.slice(at + 1, at + 4);
  if (/^[0-7]{3}$/.test(octal) && Number.parseInt(octal, 8) <= 255) {
    return [Number.parseInt(octal, 8), at + 4, true];
  }
  throw new Error("invalid syntax");
}

/**
 * strconv.Unquote of a string literal token ("…" or `…`). Bytes written by \x or octal escapes
 * must form valid UTF-8 (Go keeps invalid bytes in the string; here that is refused).
 */
export function unquote(token: string): string {
  if (token.startsWith("`")) return token.slice(1, -1).replaceAll("\r", "");
  const bytes: number[] = [];
  const body = token.slice(0, -1);
  for (let i = 1; i < body.length; ) {
    const [value, next, isByte] = unquoteChar(body, i, '"');
    if (isByte) bytes.push(value);
    else bytes.push(...Buffer.from(String.fromCodePoint(value), "utf8"));
    i = next;
  }
  return new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes));
}

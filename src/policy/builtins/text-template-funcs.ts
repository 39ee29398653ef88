import {
  compareStrings,
  GoFloat,
  GoInt,
  type GoValue,
  JsonNumber,
  sprint,
  sprintln,
} from "./text-gofmt.js";
import { isPrint } from "./text-gofmt-format.js";
import { sprintf } from "./text-gofmt-printf.js";
import {
  basicKind,
  byteLength,
  concrete,
  INVALID,
  isTrue,
  reflectKind,
  stringOf,
  type Value,
} from "./text-template-values.js";

/**
 * text/template's builtin functions (funcs.go) but `and`/`or` (they short-circuit, exec.ts) and
 * `call` (no value here is a function). Each throws where Go returns an error.
 */
export const FUNCS: Record<string, (args: Value[]) => Value> = {
  not: ([v]) => !isTrue(v as Value),
  len: ([v]) => new GoInt(BigInt(length(v as Value)), "int"),
  index: ([item, ...indexes]) => index(item as Value, indexes),
  slice: ([item, ...indexes]) => slice(item as Value, indexes),
  eq: ([a, ...rest]) => eq(a as Value, rest),
  ne: ([a, b]) => !eq(a as Value, [b as Value]),
  lt: ([a, b]) => lt(a as Value, b as Value),
  le: ([a, b]) => lt(a as Value, b as Value) || eq(a as Value, [b as Value]),
  gt: ([a, b]) => !(lt(a as Value, b as Value) || eq(a as Value, [b as Value])),
  ge: ([a, b]) => !lt(a as Value, b as Value),
  print: (args) => sprint(args as GoValue[]),
  println: (args) => sprintln(args as GoValue[]),
  printf: ([format, ...args]) => sprintf(format as string, args as GoValue[]),
  html: (args) => htmlEscape(evalArgs(args as GoValue[])),
  js: (args) => jsEscape(evalArgs(args as GoValue[])),
  urlquery: (args) => queryEscape(evalArgs(args as GoValue[])),
};

function length(v: Value): number {
  if (typeof v === "string" || v instanceof JsonNumber) return byteLength(stringOf(v));
  if (Array.isArray(v)) return v.length;
  if (v instanceof Map) return v.size;
  throw new Error("len of a value without length");
}

/** An int index in [0, cap] (indexArg). */
function indexArg(index: Value, cap: number): number {
  const i = concrete(index);
  if (!(i instanceof GoInt)) throw new Error("cannot index slice/array with this type");
  if (i.value < 0n || i.value > BigInt(cap)) throw new Error(`index out of range: ${i.value}`);
  return Number(i.value);
}

function index(target: Value, indexes: Value[]): Value {
  let item: Value = concrete(target);
  if (item === INVALID) throw new Error("index of untyped nil");
  for (const index of indexes) {
    if (item === null) throw new Error("index of nil pointer");
    if (Array.isArray(item)) {
      const x = indexArg(index, item.length);
      if (x >= item.length) throw new Error(`index out of range: ${x}`);
      item = item[x] as GoValue;
    } else if (typeof item === "string" || item instanceof JsonNumber) {
      const bytes = Buffer.from(stringOf(item), "utf8");
      const x = indexArg(index, bytes.length);
      if (x >= bytes.length) throw new Error(`index out of range: ${x}`);
      item = new GoInt(BigInt(bytes[x] as number), "uint8");
    } else if (item instanceof Map) {
      const key = concrete(index);
      if (typeof key !== "string") throw new Error("map index must be a string");
      item = item.has(key) ? (item.get(key) as GoValue) : null;
    } else throw new Error("can't index item");
  }
  return item;
}

/**
 * `slice x i j k`. A slice's capacity is taken as its length (Go's is the JSON decoder's spare
 * room), and a string may only be cut between characters (Go cuts bytes).
 */
function slice(target: Value, indexes: Value[]): Value {
  const item = concrete(target);
  if (item === INVALID) throw new Error("slice of untyped nil");
  if (indexes.length > 3) throw new Error("too many slice indexes");
  const isString = typeof item === "string" || item instanceof JsonNumber;
  if (!isString && !Array.isArray(item)) throw new Error("can't slice item");
  if (isString && indexes.length === 3) throw new Error("cannot 3-index slice a string");
  const bytes = isString ? Buffer.from(stringOf(item), "utf8") : undefined;
  const size = bytes ? bytes.length : (item as GoValue[]).length;
  const idx = [0, size, size];
  indexes.forEach((index, i) => {
    idx[i] = indexArg(index, size);
  });
  const [i, j, k] = idx as [number, number, number];
  if (i > j || j > k) throw new Error(`invalid slice index: ${i} > ${j}`);
  if (!bytes) return (item as GoValue[]).slice(i, j);
  const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(i, j));
  return item instanceof JsonNumber ? new JsonNumber(text) : text;
}

function eq(first: Value, others: Value[]): boolean {
  const a = concrete(first);
  if (others.length === 0) throw new Error("missing argument for comparison");
  const k1 = basicKind(a);
  for (const other of others) {
    const b = concrete(other);
    const k2 = basicKind(b);
    let truth = false;
    if (k1 !== k2) {
      if (isInteger(k1) && isInteger(k2)) truth = (a as GoInt).value === (b as GoInt).value;
      else if (a !== INVALID && b !== INVALID) throw new Error("incompatible types for comparison");
    } else if (k1 === "invalid") {
      const [r1, r2] = [reflectKind(a), reflectKind(b)];
      if (r1 !== r2 && r1 !== "invalid" && r2 !== "invalid")
        throw new Error("non-comparable types");
      if (a === INVALID || b === INVALID) truth = a === b;
      else throw new Error("non-comparable type");
    } else truth = sameBasic(a, b);
    if (truth) return true;
  }
  return false;
}

function isInteger(kind: string): boolean {
  return kind === "int" || kind === "uint";
}

function sameBasic(a: Value, b: Value): boolean {
  if (typeof a === "string" || a instanceof JsonNumber) {
    return stringOf(a) === stringOf(b as string | JsonNumber);
  }
  if (a instanceof GoInt || a instanceof GoFloat) return a.value === (b as GoInt | GoFloat).value;
  return a === b;
}

function lt(first: Value, second: Value): boolean {
  const a: Value = concrete(first);
  const b: Value = concrete(second);
  const [k1, k2] = [basicKind(a), basicKind(b)];
  if (k1 === "invalid" || k2 === "invalid") throw new Error("invalid type for comparison");
  if (k1 !== k2 && !(isInteger(k1) && isInteger(k2))) {
    throw new Error("incompatible types for comparison");
  }
  if (k1 === "bool") throw new Error("invalid type for comparison");
  if (k1 === "string") return compareStrings(stringOf(a as string), stringOf(b as string)) < 0;
  return (a as { value: number | bigint }).value < (b as { value: number | bigint }).value;
}

/** evalArgs: fmt.Sprint, a nil argument printing as `<no value>`. */
function evalArgs(args: GoValue[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(args.map((a) => (a === null ? "<no value>" : a)));
}

const HTML: Record<string, string> = {
  "\0": "\uFFFD",
  '"': "&#34;",
  "'": "&#39;",
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
};

function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => HTML[c] as string);
}

const JS: Record<string, string> = {
  "\\": "\\\\",
  "'": "\\'",
  '"': '\\"',
  "<": "\\u003C",
  ">": "\\u003E",
  "&": "\\u0026",
  "=": "\\u003D",
};

function jsEscape(s: string): string {
  let out = "";
  for (const c of s) {
    const code = c.codePointAt(0) as number;
    if (JS[c]) out += JS[c];
    else if (code < 0x20) out += `\\u00${code.toString(16).toUpperCase().padStart(2, "0")}`;
    else if (code < 0x80 || isPrint(code)) out += c;
    else out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return out;
}

/** url.QueryEscape: unreserved bytes kept, space as `+`, every other byte as %XX. */
function queryEscape(s: string): string {
  let out = "";
  for (const byte of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

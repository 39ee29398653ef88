import type { BuiltinTable } from "./table.js";
import { formatFloat } from "./text-float.js";
import { string } from "./text-operands.js";

/**
 * `sprintf` with Go's fmt semantics as topdown feeds it (strings.go builtinSprintf): integers are
 * int64, other numbers float64, strings as such, any other value as its Rego text (a string, so
 * `%t` of `true` is `%!t(string=true)` as in OPA). Verbs: v d s f F e E g G x X o O b c q U t %,
 * flags `+ - # 0 space`, width and precision. Refused (throws): `*` widths, `[n]` argument indexes,
 * `%x` of a float.
 */
export const sprintfBuiltins: BuiltinTable = {
  sprintf: (_context, format, values) => {
    if (!Array.isArray(values)) throw new TypeError("operand 2 must be array");
    return sprintf(string(format, 1), values.map(toArg));
  },
};

type Arg =
  | { type: "int64"; value: bigint }
  | { type: "float64"; value: number }
  | { type: "string"; value: string };

interface Spec {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  zero: boolean;
  space: boolean;
  width?: number;
  prec?: number;
}

function toArg(value: unknown): Arg {
  if (typeof value === "number") {
    return Number.isInteger(value)
      ? { type: "int64", value: BigInt(value) }
      : { type: "float64", value };
  }
  if (typeof value === "string") return { type: "string", value };
  return { type: "string", value: regoText(value) };
}

/** Rego's `Value.String()`: JSON-like, `", "` and `": "`, object keys sorted. */
export function regoText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(regoText).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}: ${regoText((value as Record<string, unknown>)[k])}`).join(", ")}}`;
  }
  return JSON.stringify(value);
}

function sprintf(format: string, args: Arg[]): string {
  let out = "";
  let next = 0;
  const chars = [...format];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c !== "%") {
      out += c;
      continue;
    }
    const spec: Spec = { plus: false, minus: false, sharp: false, zero: false, space: false };
    i++;
    for (; i < chars.length; i++) {
      const f = chars[i];
      if (f === "+") spec.plus = true;
      else if (f === "-") spec.minus = true;
      else if (f === "#") spec.sharp = true;
      else if (f === "0") spec.zero = true;
      else if (f === " ") spec.space = true;
      else break;
    }
    if (chars[i] === "*" || chars[i] === "[")
      throw new Error("sprintf: * and [n] are not supported");
    const width = readNumber(chars, i);
    if (width) [spec.width, i] = width;
    if (chars[i] === ".") {
      i++;
      if (chars[i] === "*" || chars[i] === "[")
        throw new Error("sprintf: * and [n] are not supported");
      const prec = readNumber(chars, i);
      spec.prec = prec ? prec[0] : 0;
      if (prec) i = prec[1];
    }
    const verb = chars[i];
    if (verb === undefined) {
      out += "%!(NOVERB)";
      break;
    }
    if (verb === "%") {
      out += "%";
      continue;
    }
    const arg = args[next];
    if (arg === undefined) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    next++;
    out += formatArg(arg, verb, spec);
  }
  if (next < args.length) {
    out += `%!(EXTRA ${args
      .slice(next)
      .map((a) => `${a.type}=${plain(a)}`)
      .join(", ")})`;
  }
  return out;
}

function readNumber(chars: string[], at: number): [number, number] | undefined {
  let i = at;
  while (i < chars.length && /[0-9]/.test(chars[i] as string)) i++;
  if (i === at) return undefined;
  return [Number(chars.slice(at, i).join("")), i];
}

function plain(arg: Arg): string {
  if (arg.type === "float64")
    return formatFloat(arg.value, "g", -1).replace(/^/, arg.value < 0 ? "-" : "");
  return String(arg.value);
}

// Go's badVerb: the value printed with %v under the same flags, width and precision.
function bad(arg: Arg, verb: string, spec: Spec): string {
  return `%!${verb}(${arg.type}=${formatArg(arg, "v", spec)})`;
}

function formatArg(arg: Arg, verb: string, spec: Spec): string {
  if (arg.type === "int64") return formatInt(arg.value, verb, spec) ?? bad(arg, verb, spec);
  if (arg.type === "float64") return formatFloatArg(arg.value, verb, spec) ?? bad(arg, verb, spec);
  return formatString(arg.value, verb, spec) ?? bad(arg, verb, spec);
}

function pad(s: string, spec: Spec, zeros = false): string {
  const width = spec.width ?? 0;
  const n = [...s].length;
  if (n >= width) return s;
  if (spec.minus) return s + " ".repeat(width - n);
  if (zeros && spec.zero) {
    const sign = /^[+\- ]/.test(s) ? (s[0] as string) : "";
    return sign + "0".repeat(width - n) + s.slice(sign.length);
  }
  return " ".repeat(width - n) + s;
}

function sign(negative: boolean, spec: Spec): string {
  return negative ? "-" : spec.plus ? "+" : spec.space ? " " : "";
}

const BASES: Record<string, [number, string]> = {
  d: [10, ""],
  v: [10, ""],
  b: [2, "0b"],
  o: [8, "0"],
  O: [8, "0o"],
  x: [16, "0x"],
  X: [16, "0X"],
};

function formatInt(value: bigint, verb: string, spec: Spec): string | undefined {
  if (verb === "c") return pad(String.fromCodePoint(Number(value)), spec);
  if (verb === "q") return pad(quoteRune(Number(value)), spec);
  if (verb === "U") {
    return pad(`U+${value.toString(16).toUpperCase().padStart(4, "0")}`, spec);
  }
  const base = BASES[verb];
  if (!base) return undefined;
  const negative = value < 0n;
  let digits = (negative ? -value : value).toString(base[0]);
  if (verb === "X") digits = digits.toUpperCase();
  if (spec.prec !== undefined) {
    digits = spec.prec === 0 && value === 0n ? "" : digits.padStart(spec.prec, "0");
  } else if (spec.zero && !spec.minus && spec.width !== undefined) {
    const s = sign(negative, spec);
    const prefix = spec.sharp || verb === "O" ? base[1] : "";
    digits = digits.padStart(spec.width - s.length - prefix.length, "0");
  }
  const prefix = (spec.sharp && verb !== "d" && verb !== "v") || verb === "O" ? base[1] : "";
  return pad(sign(negative, spec) + prefix + digits, spec);
}

function formatFloatArg(value: number, verb: string, spec: Spec): string | undefined {
  const v = verb === "v" ? "g" : verb === "F" ? "f" : verb;
  if (!"eEfgG".includes(v)) return undefined;
  const defaultPrec = v === "g" || v === "G" ? -1 : 6;
  const num = formatFloat(value, v, spec.prec ?? defaultPrec);
  return pad(sign(value < 0 || Object.is(value, -0), spec) + num, spec, true);
}

function formatString(value: string, verb: string, spec: Spec): string | undefined {
  const s = spec.prec === undefined ? value : [...value].slice(0, spec.prec).join("");
  if (verb === "s" || verb === "v") return pad(s, spec, true);
  if (verb === "q")
    return pad(spec.sharp && /^[^`\p{Cc}]*$/u.test(s) ? `\`${s}\`` : quote(s, spec.plus), spec);
  if (verb === "x" || verb === "X") {
    const bytes = [...Buffer.from(s, "utf8")].map((b) => b.toString(16).padStart(2, "0"));
    const hex = (spec.sharp ? bytes.map((b) => `0x${b}`) : bytes).join(spec.space ? " " : "");
    return pad(verb === "X" ? hex.toUpperCase() : hex, spec);
  }
  return undefined;
}

const ESCAPES: Record<string, string> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
  "\\": "\\\\",
};

/** strconv.Quote (or QuoteToASCII when `ascii`). */
function quote(s: string, ascii: boolean, delimiter = '"'): string {
  let out = delimiter;
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    if (ch === delimiter) out += `\\${ch}`;
    else if (ESCAPES[ch]) out += ESCAPES[ch];
    else if (
      code < 0x80
        ? code >= 0x20 && code !== 0x7f
        : !ascii && /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch)
    )
      out += ch;
    else if (code < 0x80) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += `\\U${code.toString(16).padStart(8, "0")}`;
  }
  return out + delimiter;
}

function quoteRune(code: number): string {
  return quote(String.fromCodePoint(code), false, "'");
}

import { rawJson } from "./context.js";
import type { BuiltinTable } from "./table.js";
import { string } from "./text-operands.js";

/**
 * `units.parse` and `units.parse_bytes` (topdown/parse_units.go, parse_bytes.go), exact as Go's
 * big.Rat / big.Float arithmetic: results go back as raw JSON text, so every digit survives.
 */
export const unitsBuiltins: BuiltinTable = {
  "units.parse": (_context, value) => {
    const s = string(value, 1).replaceAll('"', "");
    const [num, rawUnit] = split(s);
    const unit = rawUnit.length > 1 ? rawUnit[0] + rawUnit.slice(1).toLowerCase() : rawUnit;
    const f = UNITS[unit];
    if (f === undefined) throw new Error(`units.parse: unit ${unit} not recognized`);
    const x = parseRational(num, "units.parse");
    const n = x.n * f.n;
    const d = x.d * f.d;
    return rawJson(n % d === 0n ? (n / d).toString() : floatString(n, d, 10));
  },
  "units.parse_bytes": (_context, value) => {
    const s = string(value, 1).toLowerCase().replaceAll('"', "");
    const [num, unit] = split(s, "units.parse_bytes");
    const factor = BYTE_UNITS[unit];
    if (factor === undefined)
      throw new Error(`units.parse_bytes: byte unit ${unit} not recognized`);
    const x = parseRational(num, "units.parse_bytes");
    // big.Float, 64-bit mantissa: the amount rounded, the product rounded, then truncated.
    const amount = round64(x.n, x.d);
    const product = round64(amount.n * factor, amount.d);
    return rawJson((product.n / product.d).toString());
  },
};

interface Rational {
  n: bigint;
  d: bigint;
}

const MILLI: Rational = { n: 1152921504606847n, d: 1152921504606846976n }; // float64(0.001)
const pow = (base: bigint, k: bigint): Rational => ({ n: base ** k, d: 1n });
// parse_units.go's switch, after the unit's tail is lower-cased ("KI" → "Ki"); "m" is milli.
const UNITS: Record<string, Rational> = { "": pow(1n, 1n), m: MILLI, M: pow(1000n, 2n) };
for (const [i, p] of ["k", "m", "g", "t", "p", "e"].entries()) {
  const k = BigInt(i + 1);
  const upper = p.toUpperCase();
  if (p !== "m") UNITS[p] = UNITS[upper] = pow(1000n, k);
  UNITS[`${p}i`] = UNITS[`${upper}i`] = pow(1024n, k);
}
const BYTE_UNITS: Record<string, bigint> = { "": 1n };
for (const [i, p] of ["k", "m", "g", "t", "p", "e"].entries()) {
  const k = BigInt(i + 1);
  BYTE_UNITS[p] = BYTE_UNITS[`${p}b`] = 1000n ** k;
  BYTE_UNITS[`${p}i`] = BYTE_UNITS[`${p}ib`] = 1024n ** k;
}

/** parse_bytes.go `extractNumAndUnit`: the amount, then the unit; throws on spaces. */
function split(s: string, name = "units.parse"): [string, string] {
  if (s.includes(" ")) throw new Error(`${name}: spaces not allowed in resource strings`);
  let cut = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (!/[0-9.eE+-]/.test(c)) {
      cut = i;
      break;
    }
    if (c === "e" || c === "E") {
      const next = s[i + 1];
      if (next === undefined || !/[0-9+-]/.test(next)) {
        cut = i;
        break;
      }
      if (next === "+" || next === "-") i++;
      const digits = s.slice(i + 1).search(/\D|$/);
      if (digits > 6) throw new Error(`${name}: exponent too large`);
    }
  }
  const [num, unit] = cut < 0 ? [s, ""] : [s.slice(0, cut), s.slice(cut)];
  if (num === "") throw new Error(`${name}: no amount provided`);
  return [num, unit];
}

/** Go's big.Rat SetString for a decimal with an optional exponent. */
function parseRational(text: string, name: string): Rational {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || `${m[2]}${m[3] ?? ""}` === "") {
    throw new Error(`${name}: could not parse amount to a number`);
  }
  const frac = m[3] ?? "";
  let n = BigInt(`${m[2]}${frac}`) * (m[1] === "-" ? -1n : 1n);
  let d = 10n ** BigInt(frac.length);
  const exp = BigInt(m[4] ?? "0");
  if (exp >= 0n) n *= 10n ** exp;
  else d *= 10n ** -exp;
  return { n, d };
}

/** Go's Rat.FloatString(prec): rounded half away from zero. */
function floatString(n: bigint, d: bigint, prec: number): string {
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const p = 10n ** BigInt(prec);
  let q = abs / d;
  let r = ((abs % d) * p) / d;
  const r2 = ((abs % d) * p) % d;
  if (r2 * 2n >= d) r += 1n;
  if (r >= p) {
    q += 1n;
    r -= p;
  }
  return `${negative ? "-" : ""}${q}.${r.toString().padStart(prec, "0")}`;
}

/** `n/d` rounded to a 64-bit mantissa, nearest even (big.Float's default). */
function round64(n: bigint, d: bigint): Rational {
  if (n === 0n) return { n: 0n, d: 1n };
  const negative = n < 0n;
  const abs = negative ? -n : n;
  // abs has A bits and d has D: abs·2^(64-A+D)/d is over 2^63 and under 2^65, so at most one
  // halving brings the quotient into [2^63, 2^64).
  let shift = 64 - (abs.toString(2).length - d.toString(2).length);
  const scaled = (s: number) => (s >= 0 ? [abs << BigInt(s), d] : [abs, d << BigInt(-s)]);
  let [num, den] = scaled(shift) as [bigint, bigint];
  if (num / den >= 1n << 64n) [num, den] = scaled(--shift) as [bigint, bigint];
  let mant = num / den;
  const rem = num % den;
  if (rem * 2n > den || (rem * 2n === den && (mant & 1n) === 1n)) mant += 1n;
  const signed = negative ? -mant : mant;
  return shift >= 0
    ? { n: signed, d: 1n << BigInt(shift) }
    : { n: signed << BigInt(-shift), d: 1n };
}

/**
 * The strconv parsers gqlparser's Value.Value(nil) applies to literals (Go's strconv, as OPA
 * v1.19.1 is built with it): whether ParseInt(raw, 10, 64), ParseFloat(raw, 64) or
 * ParseBool(raw) fails. Literals the lexer makes always have the decimal syntax; an AST object
 * may hold any text.
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Whether strconv.ParseInt(raw, 10, 64) fails: a sign, decimal digits, and 64 bits. */
export function parseIntFails(raw: string): boolean {
  if (!/^[+-]?\d+$/.test(raw)) return true;
  const n = BigInt(raw);
  return n < INT64_MIN || n > INT64_MAX;
}

const BOOLEANS = new Set([
  "1",
  "t",
  "T",
  "TRUE",
  "true",
  "True",
  "0",
  "f",
  "F",
  "FALSE",
  "false",
  "False",
]);

/** Whether strconv.ParseBool(raw) fails. */
export const parseBoolFails = (raw: string) => !BOOLEANS.has(raw);

/**
 * Whether strconv.ParseFloat(raw, 64) fails (readFloat and special in Go's strconv): a decimal
 * or `0x` hexadecimal mantissa (hexadecimal needs a `p` exponent), `_` only between digits or
 * after the prefix, `inf`, `infinity` (signed or not) and `nan`; or a value that rounds past
 * the largest float64. Underflow is no error.
 */
export function parseFloatFails(raw: string): boolean {
  if (/^[+-]?inf(?:inity)?$/i.test(raw) || /^nan$/i.test(raw)) return false;
  const hex = /^[+-]?0[xX]./.test(raw);
  const digit = hex ? /[0-9a-fA-F]/ : /[0-9]/;
  let i = /^[+-]/.test(raw) ? 1 : 0;
  if (hex) i += 2;
  let digits = "";
  let fractionDigits = 0;
  let sawDot = false;
  for (; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === "_") continue;
    if (c === "." && !sawDot) sawDot = true;
    else if (digit.test(c)) {
      digits += c;
      if (sawDot) fractionDigits++;
    } else break;
  }
  if (digits === "") return true;
  let exponent = 0;
  if (raw[i]?.toLowerCase() === (hex ? "p" : "e")) {
    const match = /^([+-]?)([0-9][0-9_]*)/.exec(raw.slice(i + 1));
    if (!match) return true;
    // Go stops counting at 10000: beyond that the value is out of range or zero either way.
    exponent = Math.min(Number((match[2] as string).replaceAll("_", "")), 10000);
    if (match[1] === "-") exponent = -exponent;
    i += 1 + match[0].length;
  } else if (hex) return true;
  if (i !== raw.length || !underscoresOk(raw)) return true;
  if (!hex) return !Number.isFinite(Number(raw.replaceAll("_", "")));
  return hexOverflows(BigInt(`0x${digits}`), exponent - 4 * fractionDigits);
}

/** underscoreOK (strconv): each `_` between digits, or between the base prefix and a digit. */
function underscoresOk(raw: string): boolean {
  const body = raw.replace(/^[+-]/, "");
  const hex = /^0[xX]/.test(body);
  // "0" a digit or the prefix, "_" an underscore, "!" anything else, "^" the start.
  let saw = hex ? "0" : "^";
  for (const c of hex ? body.slice(2) : body) {
    if (/[0-9]/.test(c) || (hex && /[a-fA-F]/.test(c))) saw = "0";
    else if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
    } else if (saw === "_") return false;
    else saw = "!";
  }
  return saw !== "_";
}

/**
 * Whether mantissa × 2^exponent rounds (to nearest, ties to even) past the largest float64:
 * whether it is at least (2^54 − 1) × 2^970, halfway between that and 2^1024.
 */
function hexOverflows(mantissa: bigint, exponent: number): boolean {
  if (mantissa === 0n) return false;
  const top = mantissa.toString(2).length + exponent;
  if (top <= 1023) return false;
  if (top > 1024) return true;
  const limit = (1n << 54n) - 1n;
  return exponent >= 970
    ? mantissa << BigInt(exponent - 970) >= limit
    : mantissa >= limit << BigInt(970 - exponent);
}

/**
 * go-yaml v2's `resolve` (go.yaml.in/yaml/v2 resolve.go), which OPA's YAML builtins use through
 * sigs.k8s.io/yaml: what a plain scalar means under YAML 1.1 — `yes`/`on`/`y` are booleans,
 * `012` is octal, `0x1F` hex, `1_000` an integer, `~` null, base-60 numbers strings — and
 * whether an explicit tag fits its text.
 */

const YAML = "tag:yaml.org,2002:";
export const TAGS = {
  str: `${YAML}str`,
  bool: `${YAML}bool`,
  int: `${YAML}int`,
  float: `${YAML}float`,
  null: `${YAML}null`,
  timestamp: `${YAML}timestamp`,
  binary: `${YAML}binary`,
  merge: `${YAML}merge`,
} as const;

/** A resolved scalar: integers are bigint (int64 or uint64), floats numbers. */
export type ScalarValue = null | boolean | bigint | number | string;

const WORDS = new Map<string, [string, ScalarValue]>();
for (const [tag, value, words] of [
  [TAGS.bool, true, "y Y yes Yes YES true True TRUE on On ON"],
  [TAGS.bool, false, "n N no No NO false False FALSE off Off OFF"],
  [TAGS.null, null, "~ null Null NULL"],
  [TAGS.float, Number.NaN, ".nan .NaN .NAN"],
  [TAGS.float, Number.POSITIVE_INFINITY, ".inf .Inf .INF +.inf +.Inf +.INF"],
  [TAGS.float, Number.NEGATIVE_INFINITY, "-.inf -.Inf -.INF"],
  [TAGS.merge, "<<", "<<"],
] as const)
  for (const word of words.split(" ")) WORDS.set(word, [tag, value]);
WORDS.set("", [TAGS.null, null]);

const RESOLVABLE = new Set<string>(["", TAGS.str, TAGS.bool, TAGS.int, TAGS.float, TAGS.null]);
RESOLVABLE.add(TAGS.timestamp);

/** resolveTable: the first byte's class — sign, digit, one of the words, a dot. */
function hint(text: string): "S" | "D" | "M" | "." | "N" | undefined {
  if (text === "") return "N";
  const c = text[0] as string;
  if (c === "+" || c === "-") return "S";
  if (c >= "0" && c <= "9") return "D";
  if ("yYnNtTfFoO~".includes(c)) return "M";
  if (c === ".") return ".";
  return undefined;
}

const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
/** strconv.ParseInt/ParseUint with base 0: 0x, 0o, 0b, a leading 0 for octal, else decimal. */
const BASE0 = /^(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

function parseBase0(digits: string): bigint {
  if (/^0[oO]/.test(digits)) return BigInt(`0o${digits.slice(2)}`);
  if (/^0[0-7]+$/.test(digits)) return BigInt(`0o${digits.slice(1)}`);
  return BigInt(digits.toLowerCase());
}

/** An integer as go-yaml reads it (int64, else uint64), or undefined. */
function integer(plain: string): bigint | undefined {
  const sign = plain[0] === "-" || plain[0] === "+" ? (plain[0] as string) : "";
  const digits = plain.slice(sign.length);
  if (!BASE0.test(digits)) return undefined;
  const magnitude = parseBase0(digits);
  const value = sign === "-" ? -magnitude : magnitude;
  if (value >= -INT64_MAX - 1n && value <= INT64_MAX) return value;
  return sign === "" && value <= UINT64_MAX ? value : undefined;
}

/** A finite float64 (strconv.ParseFloat refuses what overflows). */
function float(text: string): number | undefined {
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function implicit(text: string, tag: string): [string, ScalarValue] {
  const h = hint(text);
  if (h === undefined || tag === TAGS.str) return [TAGS.str, text];
  const word = WORDS.get(text);
  if (word) return word;
  if (h === ".") {
    const value = /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text) ? float(text) : undefined;
    if (value !== undefined) return [TAGS.float, value];
  }
  if (h === "D" || h === "S") {
    if ((tag === "" || tag === TAGS.timestamp) && isTimestamp(text)) return [TAGS.timestamp, text];
    const plain = text.replaceAll("_", "");
    const int = integer(plain);
    if (int !== undefined) return [TAGS.int, int];
    const value = YAML_FLOAT.test(plain) ? float(plain) : undefined;
    if (value !== undefined) return [TAGS.float, value];
  }
  return [TAGS.str, text];
}

/**
 * go-yaml's resolve(tag, text): the scalar's tag and value. `tag` is the explicit tag ("" for
 * none); a tag the text does not fit throws, as go-yaml fails ("cannot decode").
 */
export function resolve(tag: string, text: string): [string, ScalarValue] {
  if (!RESOLVABLE.has(tag)) return [tag, text];
  const [rtag, value] = implicit(text, tag);
  if (tag === "" || tag === rtag || tag === TAGS.str) return [rtag, value];
  if (tag === TAGS.float && rtag === TAGS.int) return [TAGS.float, Number(value)];
  throw new Error(`cannot decode ${rtag} \`${text}\` as a ${tag}`);
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const TIMESTAMP =
  /^(?<y>\d{4})-(?<mo>\d{1,2})-(?<d>\d{1,2})(?:(?<sep>[Tt ])(?<h>\d{1,2}):(?<mi>\d{1,2}):(?<s>\d{1,2})(?:\.\d+)?(?<z>Z|[+-]\d{2}:\d{2})?)?$/;

/** parseTimestamp: one of go-yaml's time.Parse layouts, with Go's range checks. */
function isTimestamp(text: string): boolean {
  const g = TIMESTAMP.exec(text)?.groups;
  if (!g) return false;
  const [year, month, day] = [Number(g.y), Number(g.mo), Number(g.d)];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && !leap ? 28 : (DAYS[month - 1] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > days) return false;
  if (g.h === undefined) return true;
  // The "T" layouts end in a zone (Z07:00), the space-separated one has none.
  if ((g.sep === " ") !== (g.z === undefined)) return false;
  return Number(g.h) < 24 && Number(g.mi) < 60 && Number(g.s) < 60;
}

/**
 * strconv.FormatFloat(value, 'g', -1, bits) with go-yaml's names for the non-finite: the
 * shortest digits that read back as the float64 (or float32) value, in exponent form when the
 * exponent is below -4 or at least 6 (`1e+06`, `1.5e-05`).
 */
export function formatFloat(value: number, bits: 32 | 64): string {
  const f = bits === 32 ? Math.fround(value) : value;
  if (Number.isNaN(f)) return ".nan";
  if (!Number.isFinite(f)) return f > 0 ? ".inf" : "-.inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  let text = f.toExponential();
  if (bits === 32)
    for (let precision = 1; precision <= 9; precision++) {
      text = f.toExponential(precision - 1);
      if (Math.fround(Number(text)) === f) break;
    }
  const [mantissa, exponent] = text.split("e") as [string, string];
  const exp = Number(exponent);
  // The shortest digits: toExponential() gives them, and so does the first precision that reads
  // back as the float32 (a trailing zero would have read back one digit earlier).
  const digits = mantissa.replace(/[-.]/g, "");
  const sign = f < 0 ? "-" : "";
  if (exp < -4 || exp >= 6) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const e = String(Math.abs(exp)).padStart(2, "0");
    return `${sign}${digits[0]}${fraction}e${exp < 0 ? "-" : "+"}${e}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const whole = digits.padEnd(exp + 1, "0").slice(0, exp + 1);
  const fraction = digits.slice(exp + 1);
  return `${sign}${whole}${fraction ? `.${fraction}` : ""}`;
}

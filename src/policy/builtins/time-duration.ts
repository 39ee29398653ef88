/**
 * `time.parse_duration_ns`: Go's `time.ParseDuration` plus topdown's d (24h), w (7d) and
 * y (365d) units, which it rewrites into hours before Go parses the string.
 */

import { leadingInt } from "./time-parse-scan.js";

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n,
  μs: 1000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const EXTENDED_HOURS: Record<string, number> = { d: 24, w: 7 * 24, y: 365 * 24 };
const LIMIT = 2n ** 63n;

/** Nanoseconds of a duration string, as topdown's parseExtendedDuration; throws when invalid. */
export function parseExtendedDuration(s: string): bigint {
  if (s === "") throw new Error(`time: invalid duration ""`);
  if (!/[dwy]/.test(s)) return parseDuration(s);
  // topdown's PEG grammar: sign? (digits-and-dots unit)+ where a unit is ms|us|µs|ns|[a-z].
  const grammar = /^([-+]?)((?:[0-9.]+(?:ms|us|\u00b5s|ns|[a-z]))+)$/u;
  const match = grammar.exec(s);
  if (match === null) throw new Error(`time: invalid duration "${s}"`);
  let rewritten = match[1] as string;
  for (const [, digits, unit] of (match[2] as string).matchAll(
    /([0-9.]+)(ms|us|\u00b5s|ns|[a-z])/gu,
  )) {
    const hours = EXTENDED_HOURS[unit as string];
    if (hours === undefined) {
      rewritten += `${digits}${unit}`;
      continue;
    }
    if (!/^(?:[0-9]+\.?[0-9]*|\.[0-9]+)$/.test(digits as string))
      throw new Error("invalid duration");
    const value = Number(digits);
    if (!Number.isFinite(value)) throw new Error("invalid duration");
    rewritten += `${formatFloat(value * hours)}h`;
  }
  return parseDuration(rewritten);
}

/** Go's strconv.FormatFloat(x, 'f', -1, 64): shortest round-trip digits, never an exponent. */
export function formatFloat(x: number): string {
  const text = String(x);
  const exp = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (exp === null) return text;
  const [, sign, lead, tail = "", power] = exp;
  const digits = `${lead}${tail}`;
  const point = 1 + Number(power);
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  return `${sign}${digits.padEnd(point, "0")}`;
}

/** Go's time.ParseDuration in nanoseconds. */
export function parseDuration(orig: string): bigint {
  const invalid = () => new Error(`time: invalid duration "${orig}"`);
  let s = orig;
  let negative = false;
  if (s[0] === "-" || s[0] === "+") {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw invalid();
  let d = 0n;
  while (s !== "") {
    if (!/^[.0-9]/.test(s)) throw invalid();
    const before = s.length;
    let v: bigint;
    try {
      [v, s] = leadingInt(s);
    } catch {
      throw invalid();
    }
    const pre = before !== s.length;
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s[0] === ".") {
      s = s.slice(1);
      const length = s.length;
      [f, scale, s] = leadingFraction(s);
      post = length !== s.length;
    }
    if (!pre && !post) throw invalid();
    const unitLength = s.search(/[.0-9]/);
    const u = unitLength === -1 ? s : s.slice(0, unitLength);
    if (u === "") throw new Error(`time: missing unit in duration "${orig}"`);
    s = s.slice(u.length);
    const unit = UNITS[u];
    if (unit === undefined) throw new Error(`time: unknown unit "${u}" in duration "${orig}"`);
    if (v > LIMIT / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > LIMIT) throw invalid();
    }
    d += v;
    if (d > LIMIT) throw invalid();
  }
  if (negative) return -d;
  if (d > LIMIT - 1n) throw invalid();
  return d;
}

function leadingFraction(s: string): [bigint, number, string] {
  let x = 0n;
  let scale = 1;
  let overflow = false;
  let i = 0;
  for (; i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57; i++) {
    if (overflow) continue;
    if (x > (LIMIT - 1n) / 10n) {
      overflow = true;
      continue;
    }
    const y = x * 10n + BigInt(s.charCodeAt(i) - 48);
    if (y > LIMIT) {
      overflow = true;
      continue;
    }
    x = y;
    scale *= 10;
  }
  return [x, scale, s.slice(i)];
}

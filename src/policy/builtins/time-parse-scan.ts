/** The scanning helpers of Go's time.Parse (time/format.go), over byte strings. */

import { isDigit } from "./time-layout-chunk.js";

const BAD = "bad value for field";

/** Go's skip: `prefix` off `value`, a space in `prefix` matching any run of spaces. */
export function skip(value: string, prefix: string): string {
  let v = value;
  let p = prefix;
  while (p.length > 0) {
    if (p[0] === " ") {
      if (v.length > 0 && v[0] !== " ") throw new Error(BAD);
      p = p.replace(/^ +/, "");
      v = v.replace(/^ +/, "");
      continue;
    }
    if (v.length === 0 || v[0] !== p[0]) throw new Error(BAD);
    p = p.slice(1);
    v = v.slice(1);
  }
  return v;
}

/** One or two digits (exactly two when `fixed`). */
export function getnum(s: string, fixed: boolean): [number, string] {
  if (!isDigit(s, 0)) throw new Error(BAD);
  if (!isDigit(s, 1)) {
    if (fixed) throw new Error(BAD);
    return [s.charCodeAt(0) - 48, s.slice(1)];
  }
  return [(s.charCodeAt(0) - 48) * 10 + s.charCodeAt(1) - 48, s.slice(2)];
}

/** One to three digits (exactly three when `fixed`). */
export function getnum3(s: string, fixed: boolean): [number, string] {
  let n = 0;
  let i = 0;
  for (; i < 3 && isDigit(s, i); i++) n = n * 10 + s.charCodeAt(i) - 48;
  if (i === 0 || (fixed && i !== 3)) throw new Error(BAD);
  return [n, s.slice(i)];
}

/** The entry of `table` that `value` starts with, ignoring ASCII case. */
export function lookup(table: string[], value: string): [number, string] {
  for (const [i, name] of table.entries()) {
    if (value.length >= name.length && sameLetters(value.slice(0, name.length), name)) {
      return [i, value.slice(name.length)];
    }
  }
  throw new Error(BAD);
}

function sameLetters(a: string, b: string): boolean {
  for (let i = 0; i < a.length; i++) {
    let c1 = a.charCodeAt(i);
    let c2 = b.charCodeAt(i);
    if (c1 !== c2) {
      c1 |= 32;
      c2 |= 32;
      if (c1 !== c2 || c1 < 97 || c1 > 122) return false;
    }
  }
  return true;
}

/** Leading decimal digits as a uint64 (throws past 2^63, as Go's leadingInt errs). */
export function leadingInt(s: string): [bigint, string] {
  let x = 0n;
  let i = 0;
  for (; i < s.length && isDigit(s, i); i++) {
    if (x > 2n ** 63n / 10n) throw new Error(BAD);
    x = x * 10n + BigInt(s.charCodeAt(i) - 48);
    if (x > 2n ** 63n) throw new Error(BAD);
  }
  return [x, s.slice(i)];
}

/** Go's atoi: an optional sign and digits, nothing else. */
export function atoi(s: string): number {
  const negative = s[0] === "-";
  const digits = s[0] === "-" || s[0] === "+" ? s.slice(1) : s;
  const [x, rem] = leadingInt(digits);
  if (rem.length > 0) throw new Error(BAD);
  // Go converts the uint64 to int, wrapping 2^63 to its minimum.
  const n = Number(BigInt.asIntN(64, x));
  return negative ? -n : n;
}

/** The fraction `value[0:n]` (separator and digits) in nanoseconds; digits past nine ignored. */
export function nanoseconds(value: string, n: number): number {
  if (value[0] !== "." && value[0] !== ",") throw new Error(BAD);
  const bytes = Math.min(n, 10);
  const ns = atoi(value.slice(1, bytes));
  if (ns < 0) throw new Error("fractional second out of range");
  return ns * 10 ** (10 - bytes);
}

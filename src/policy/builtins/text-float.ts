/**
 * Go's strconv float formatting ('e', 'f', 'g'): digits from the exact binary value, rounded half
 * to even as Go's decimal type does; shortest digits from V8, which are Go's shortest too.
 */

/** A decimal 0.d1d2…dn × 10^dp (Go's decimalSlice), digits without trailing zeros. */
interface Digits {
  digits: string;
  dp: number;
}

function shortest(x: number): Digits {
  if (x === 0) return { digits: "", dp: 0 };
  const [mant, exp] = Math.abs(x).toExponential().split("e") as [string, string];
  return trim({ digits: mant.replace(".", ""), dp: Number(exp) + 1 });
}

function exact(x: number): Digits {
  if (x === 0) return { digits: "", dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  let mant = bits & ((1n << 52n) - 1n);
  let e = biased - 1075;
  if (biased === 0) e = -1074;
  else mant |= 1n << 52n;
  if (e >= 0) {
    const s = (mant << BigInt(e)).toString();
    return trim({ digits: s, dp: s.length });
  }
  const s = (mant * 5n ** BigInt(-e)).toString();
  return trim({ digits: s, dp: s.length + e });
}

function trim(d: Digits): Digits {
  let end = d.digits.length;
  while (end > 0 && d.digits[end - 1] === "0") end--;
  const digits = d.digits.slice(0, end);
  return digits === "" ? { digits: "", dp: 0 } : { digits, dp: d.dp };
}

/** Keeps `n` digits, Go's decimal.Round (an exact half goes to the even digit). */
function round(d: Digits, n: number): Digits {
  if (n < 0 || n >= d.digits.length) return n < 0 ? { digits: "", dp: 0 } : d;
  const next = d.digits[n] as string;
  const up =
    next > "5" ||
    (next === "5" && (n + 1 < d.digits.length || Number(d.digits[n - 1] ?? "0") % 2 === 1));
  if (!up) return trim({ digits: d.digits.slice(0, n), dp: d.dp });
  const bumped = (BigInt(d.digits.slice(0, n) || "0") + 1n).toString();
  if (n === 0 || bumped.length > n) return trim({ digits: bumped, dp: d.dp + 1 });
  return trim({ digits: bumped.padStart(n, "0"), dp: d.dp });
}

function digitAt(d: Digits, i: number): string {
  return d.digits[i] ?? "0";
}

function fmtE(d: Digits, prec: number, e: string): string {
  let out = digitAt(d, 0);
  if (prec > 0) {
    out += ".";
    for (let i = 1; i <= prec; i++) out += digitAt(d, i);
  }
  const exp = d.digits === "" ? 0 : d.dp - 1;
  return `${out}${e}${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

function fmtF(d: Digits, prec: number): string {
  let out = "";
  if (d.dp > 0) for (let i = 0; i < d.dp; i++) out += digitAt(d, i);
  else out = "0";
  if (prec > 0) {
    out += ".";
    for (let i = 1; i <= prec; i++) out += d.dp + i - 1 < 0 ? "0" : digitAt(d, d.dp + i - 1);
  }
  return out;
}

/**
 * `strconv.FormatFloat(x, verb, prec, 64)` for verb e/E/f/g/G without the sign (`prec` -1 is the
 * shortest), plus whether `x` is negative. Infinities and NaN never arrive from JSON.
 */
export function formatFloat(x: number, verb: string, prec: number): string {
  const lower = verb.toLowerCase();
  let d: Digits;
  if (prec < 0) d = shortest(x);
  else if (lower === "e") d = round(exact(x), prec + 1);
  else if (lower === "f") d = round(exact(x), exact(x).dp + prec);
  else d = round(exact(x), prec === 0 ? 1 : prec);
  const e = verb === "E" || verb === "G" ? "E" : "e";
  if (lower === "e") return fmtE(d, prec < 0 ? Math.max(d.digits.length - 1, 0) : prec, e);
  if (lower === "f") return fmtF(d, prec < 0 ? Math.max(d.digits.length - d.dp, 0) : prec);
  let p = prec < 0 ? d.digits.length : prec === 0 ? 1 : prec;
  let eprec = p;
  if (eprec > d.digits.length && d.digits.length >= d.dp) eprec = d.digits.length;
  if (prec < 0) eprec = 6;
  const exp = d.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (p > d.digits.length) p = d.digits.length;
    return fmtE(d, Math.max(p - 1, 0), e);
  }
  if (p > d.dp) p = d.digits.length;
  return fmtF(d, Math.max(p - d.dp, 0));
}

import { formatFloat } from "./text-float.js";

/**
 * Go's fmt.fmt (fmt/format.go): one verb's flags, width and precision, and the primitives that
 * write a padded integer, float, string or rune into the output. Strings are JavaScript strings;
 * widths and precisions count code points, as Go counts runes.
 */
export class Fmt {
  out = "";
  widPresent = false;
  precPresent = false;
  minus = false;
  plus = false;
  sharp = false;
  space = false;
  zero = false;
  plusV = false;
  sharpV = false;
  wid = 0;
  prec = 0;

  clearFlags(): void {
    this.widPresent = this.precPresent = this.minus = this.plus = this.sharp = false;
    this.space = this.zero = this.plusV = this.sharpV = false;
    this.wid = this.prec = 0;
  }

  writePadding(n: number): void {
    if (n > 0) this.out += (this.zero && !this.minus ? "0" : " ").repeat(n);
  }

  padString(s: string): void {
    if (!this.widPresent || this.wid === 0) {
      this.out += s;
      return;
    }
    const width = this.wid - runeCount(s);
    if (this.minus) {
      this.out += s;
      this.writePadding(width);
    } else {
      this.writePadding(width);
      this.out += s;
    }
  }

  /** padString with zero padding off, as Go's integer and rune formats pad. */
  padNoZero(s: string): void {
    const zero = this.zero;
    this.zero = false;
    this.padString(s);
    this.zero = zero;
  }

  fmtBoolean(v: boolean): void {
    this.padString(v ? "true" : "false");
  }

  fmtS(s: string): void {
    this.padString(this.truncate(s));
  }

  truncate(s: string): string {
    return this.precPresent ? [...s].slice(0, this.prec).join("") : s;
  }

  /** Go's fmtInteger: `u` is the value as int64 or uint64 (signed says which). */
  fmtInteger(u: bigint, base: number, signed: boolean, verb: string, upper: boolean): void {
    const negative = signed && u < 0n;
    let prec = 0;
    if (this.precPresent) {
      prec = this.prec;
      if (prec === 0 && u === 0n) {
        const zero = this.zero;
        this.zero = false;
        this.writePadding(this.wid);
        this.zero = zero;
        return;
      }
    } else if (this.zero && !this.minus && this.widPresent) {
      prec = this.wid - (negative || this.plus || this.space ? 1 : 0);
    }
    let digits = (negative ? -u : u).toString(base);
    if (upper) digits = digits.toUpperCase();
    digits = digits.padStart(prec, "0");
    if (this.sharp) {
      if (base === 2) digits = `0b${digits}`;
      else if (base === 8 && !digits.startsWith("0")) digits = `0${digits}`;
      else if (base === 16) digits = `0${upper ? "X" : "x"}${digits}`;
    }
    if (verb === "O") digits = `0o${digits}`;
    const sign = negative ? "-" : this.plus ? "+" : this.space ? " " : "";
    this.padNoZero(sign + digits);
  }

  /** `U+0041`, with `#` also `U+0041 'A'`. */
  fmtUnicode(u: bigint): void {
    const prec = this.precPresent && this.prec > 4 ? this.prec : 4;
    let s = `U+${BigInt.asUintN(64, u).toString(16).toUpperCase().padStart(prec, "0")}`;
    if (this.sharp && u >= 0n && u <= 0x10ffffn && isPrint(Number(u))) {
      s += ` '${String.fromCodePoint(Number(u))}'`;
    }
    this.padNoZero(s);
  }

  fmtC(c: bigint): void {
    this.padString(String.fromCodePoint(validRune(c)));
  }

  fmtQc(c: bigint): void {
    this.padString(quote(String.fromCodePoint(validRune(c)), this.plus, "'"));
  }

  fmtQ(value: string): void {
    const s = this.truncate(value);
    if (this.sharp && canBackquote(s)) this.padString(`\`${s}\``);
    else this.padString(quote(s, this.plus, '"'));
  }

  /** Hex of the UTF-8 bytes (fmtSbx): precision limits the bytes, `#` and space as in Go. */
  fmtSx(s: string, upper: boolean): void {
    const bytes = [...Buffer.from(s, "utf8")];
    const length = this.precPresent && this.prec < bytes.length ? this.prec : bytes.length;
    if (length === 0) {
      if (this.widPresent) this.writePadding(this.wid);
      return;
    }
    let width = 2 * length;
    if (this.space) width = (this.sharp ? 2 * width : width) + length - 1;
    else if (this.sharp) width += 2;
    const prefix = upper ? "0X" : "0x";
    let hex = this.sharp ? prefix : "";
    for (let i = 0; i < length; i++) {
      if (this.space && i > 0) hex += this.sharp ? ` ${prefix}` : " ";
      hex += (bytes[i] as number).toString(16).padStart(2, "0");
    }
    if (upper) hex = hex.toUpperCase();
    if (this.widPresent && this.wid > width && !this.minus) this.writePadding(this.wid - width);
    this.out += hex;
    if (this.widPresent && this.wid > width && this.minus) this.writePadding(this.wid - width);
  }

  /** Go's fmtFloat for verbs e E f g G (`prec` -1 is the shortest); `x`/`b` are not provided. */
  fmtFloat(v: number, verb: string, defaultPrec: number): void {
    if (!Number.isFinite(v)) throw new Error("fmt: infinite or NaN float");
    const prec = this.precPresent ? this.prec : defaultPrec;
    let num = (v < 0 || Object.is(v, -0) ? "-" : "+") + formatFloat(v, verb, prec);
    if (this.space && num[0] === "+" && !this.plus) num = ` ${num.slice(1)}`;
    if (this.sharp) num = keepTrailingZeros(num, verb, prec);
    if (this.plus || num[0] !== "+") {
      if (this.zero && !this.minus && this.widPresent && this.wid > num.length) {
        this.out += num[0];
        this.writePadding(this.wid - num.length);
        this.out += num.slice(1);
        return;
      }
      this.padString(num);
      return;
    }
    this.padString(num.slice(1));
  }
}

/** Go's `%#g` and friends: keep the decimal point, and for g/G pad to `prec` significant digits. */
function keepTrailingZeros(signed: string, verb: string, prec: number): string {
  let digits = verb === "g" || verb === "G" ? (prec === -1 ? 6 : prec) : 0;
  let num = signed;
  let tail = "";
  const e = num.search(/[eE]/);
  if (e >= 0) [num, tail] = [num.slice(0, e), num.slice(e)];
  let sawNonzero = false;
  for (const c of num.slice(1)) {
    if (c === ".") continue;
    if (c !== "0") sawNonzero = true;
    if (sawNonzero) digits--;
  }
  if (!num.includes(".")) {
    if (num.length === 2 && num[1] === "0") digits--;
    num += ".";
  }
  return num + "0".repeat(Math.max(digits, 0)) + tail;
}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** A rune as Go writes it: invalid code points and surrogates become U+FFFD. */
function validRune(c: bigint): number {
  if (c < 0n || c > 0x10ffffn || (c >= 0xd800n && c <= 0xdfffn)) return 0xfffd;
  return Number(c);
}

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrint(code: number): boolean {
  if (code < 0x80) return code >= 0x20 && code < 0x7f;
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(String.fromCodePoint(code));
}

/** strconv.CanBackquote: no control character but tab, no backquote, no U+FEFF. */
function canBackquote(s: string): boolean {
  return /^[^`\p{Cc}\uFEFF]*$/u.test(s.replaceAll("\t", " "));
}

const ESCAPES: Record<string, string> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
};

/** strconv.Quote (QuoteToASCII when `ascii`), or QuoteRune with `'` as the delimiter. */
export function quote(s: string, ascii: boolean, delimiter: string): string {
  let out = delimiter;
  for (const c of s) {
    // A lone surrogate is the U+FFFD Go decoded it to (a printable rune).
    const ch = c.length === 1 && c >= "\ud800" && c <= "\udfff" ? "\ufffd" : c;
    const code = ch.codePointAt(0) as number;
    if (ch === delimiter || ch === "\\") out += `\\${ch}`;
    else if (ascii ? code < 0x80 && isPrint(code) : isPrint(code)) out += ch;
    else if (ESCAPES[ch]) out += ESCAPES[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${hex(code, 2)}`;
    else if (code < 0x10000) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return out + delimiter;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, "0");
}

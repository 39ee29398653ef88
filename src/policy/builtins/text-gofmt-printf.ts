import { GoInt, type GoValue, Printer, typeName } from "./text-gofmt.js";

/**
 * fmt.Sprintf (fmt/print.go doPrintf): flags, width and precision (also `*` and `[n]` argument
 * indexes), Go's `%!verb(…)` texts for missing, extra and bad arguments.
 */
export function sprintf(format: string, args: GoValue[]): string {
  const state: State = { p: new Printer(), format, args, i: 0, argNum: 0, reordered: false };
  const out = state.p.fmt;
  while (state.i < format.length) {
    const percent = format.indexOf("%", state.i);
    const stop = percent < 0 ? format.length : percent;
    out.out += format.slice(state.i, stop);
    if (stop >= format.length) break;
    state.i = stop + 1;
    if (!verb(state)) break;
  }
  if (!state.reordered && state.argNum < args.length) {
    out.clearFlags();
    out.out += "%!(EXTRA ";
    args.slice(state.argNum).forEach((arg, k) => {
      if (k > 0) out.out += ", ";
      if (arg === null) out.out += "<nil>";
      else {
        out.out += `${typeName(arg)}=`;
        state.p.printArg(arg, "v");
      }
    });
    out.out += ")";
  }
  return out.out;
}

interface State {
  p: Printer;
  format: string;
  args: GoValue[];
  i: number;
  argNum: number;
  reordered: boolean;
  goodArgNum?: boolean;
  afterIndex?: boolean;
}

/** One `%…` directive, `i` just past the `%`; false when the format ended without a verb. */
function verb(s: State): boolean {
  const f = s.p.fmt;
  s.goodArgNum = true;
  s.afterIndex = false;
  f.clearFlags();
  for (; s.i < s.format.length; s.i++) {
    const c = s.format[s.i] as string;
    if (c === "#") f.sharp = true;
    else if (c === "0") f.zero = true;
    else if (c === "+") f.plus = true;
    else if (c === "-") f.minus = true;
    else if (c === " ") f.space = true;
    else break;
  }
  argNumber(s);
  width(s);
  precision(s);
  if (!s.afterIndex) argNumber(s);
  if (s.i >= s.format.length) {
    f.out += "%!(NOVERB)";
    return false;
  }
  const v = String.fromCodePoint(s.format.codePointAt(s.i) as number);
  s.i += v.length;
  if (v === "%") f.out += "%";
  else if (!s.goodArgNum) f.out += `%!${v}(BADINDEX)`;
  else if (s.argNum >= s.args.length) f.out += `%!${v}(MISSING)`;
  else {
    if (v === "v" || v === "w") {
      [f.sharpV, f.sharp, f.plusV, f.plus] = [f.sharp, false, f.plus, false];
    }
    s.p.printArg(s.args[s.argNum] ?? null, v);
    s.argNum++;
  }
  return true;
}

function width(s: State): void {
  const f = s.p.fmt;
  if (s.format[s.i] === "*") {
    s.i++;
    [f.wid, f.widPresent] = intFromArg(s);
    if (!f.widPresent) f.out += "%!(BADWIDTH)";
    if (f.wid < 0) [f.wid, f.minus, f.zero] = [-f.wid, true, false];
    s.afterIndex = false;
    return;
  }
  [f.wid, f.widPresent, s.i] = parseNumber(s.format, s.i, s.format.length);
  if (s.afterIndex && f.widPresent) s.goodArgNum = false;
}

function precision(s: State): void {
  const f = s.p.fmt;
  if (!(s.i + 1 < s.format.length && s.format[s.i] === ".")) return;
  s.i++;
  if (s.afterIndex) s.goodArgNum = false;
  argNumber(s);
  if (s.format[s.i] === "*") {
    s.i++;
    [f.prec, f.precPresent] = intFromArg(s);
    if (f.prec < 0) [f.prec, f.precPresent] = [0, false];
    if (!f.precPresent) f.out += "%!(BADPREC)";
    s.afterIndex = false;
    return;
  }
  [f.prec, f.precPresent, s.i] = parseNumber(s.format, s.i, s.format.length);
  if (!f.precPresent) [f.prec, f.precPresent] = [0, true];
}

/** Go's parsenum: digits up to a number past 10^6 (then nothing, and the format is used up). */
function parseNumber(text: string, start: number, end: number): [number, boolean, number] {
  if (start >= end) return [0, false, end];
  let num = 0;
  let found = false;
  let i = start;
  for (; i < end && text[i] !== undefined && /[0-9]/.test(text[i] as string); i++) {
    if (num > 1e6) return [0, false, end];
    num = num * 10 + Number(text[i]);
    found = true;
  }
  return [num, found, i];
}

/** An explicit `[n]` argument index (argNumber, parseArgNumber). */
function argNumber(s: State): void {
  if (s.format[s.i] !== "[") {
    s.afterIndex = false;
    return;
  }
  s.reordered = true;
  const close = s.format.length >= s.i + 3 ? s.format.indexOf("]", s.i + 1) : -1;
  if (close < 0) {
    s.goodArgNum = false;
    s.i += 1;
    s.afterIndex = false;
    return;
  }
  const [n, ok, next] = parseNumber(s.format, s.i + 1, close);
  s.i = close + 1;
  s.afterIndex = ok && next === close;
  if (s.afterIndex && n - 1 >= 0 && n - 1 < s.args.length) s.argNum = n - 1;
  else s.goodArgNum = false;
}

/** A `*` width or precision: the next argument, which must be an int of at most 10^6. */
function intFromArg(s: State): [number, boolean] {
  if (s.argNum >= s.args.length) return [0, false];
  const arg = s.args[s.argNum];
  s.argNum++;
  if (!(arg instanceof GoInt)) return [0, false];
  const n = Number(arg.value);
  return Math.abs(n) > 1e6 ? [0, false] : [n, true];
}

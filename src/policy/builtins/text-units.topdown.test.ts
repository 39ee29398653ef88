import { beforeAll, describe, expect, it } from "vitest";
import { type Call, ours, topdown } from "../../../test/support/topdown.js";

/**
 * `units.parse` (big.Rat, FloatString(10)) and `units.parse_bytes` (big.Float of 64 bits,
 * truncated) against topdown: the amount's grammar, exponents, signs and the roundings.
 */
const parse = (s: string): Call => ["units.parse", [s]];
const bytes = (s: string): Call => ["units.parse_bytes", [s]];

const CASES: [what: string, call: Call][] = [
  // extractNumAndUnit and the amount
  ["no unit", parse("100")],
  ["an exponent with +", parse("1e+3")],
  ["an exponent with -", parse("1e-3")],
  ["an exponent before a unit", parse("1e+3K")],
  ["a bare e: the unit E (exa)", parse("1e")],
  ["e+ without digits", parse("1e+")],
  ["an exponent of seven digits", parse("1e1234567")],
  ["a + sign", parse("+2Ki")],
  ["a dot alone", parse(".")],
  ["two dots", parse("1.5.5")],
  ["an unknown byte unit", bytes("5xb")],
  ["a unit without an amount", bytes("kb")],
  ["a space", bytes("1 kb")],
  // units.parse: exact rationals, FloatString(10) rounding half away from zero
  ["a negative amount", parse("-5K")],
  ["a positive exponent", parse("1e3")],
  ["a fraction and a negative exponent", parse("1.5e-3")],
  ["milli of a negative: float64(0.001) exactly, 10 places", parse("-1m")],
  ["a round up that carries into the integer", parse("0.99999999999")],
  ["an exact half at the 11th place goes up", parse("1.00000000005")],
  ["below half at the 11th place", parse("1.00000000004")],
  ["a negative half goes away from zero", parse("-1.00000000005")],
  // units.parse_bytes: a 64-bit mantissa, nearest even, then truncation
  ["zero", bytes("0")],
  ["a negative amount", bytes("-1kb")],
  ["a negative fraction truncated toward zero", bytes("-1.5")],
  ["a fraction truncated", bytes("0.1")],
  ["a fraction of a unit", bytes("1.5kb")],
  ["a fraction of a binary unit", bytes("0.3mib")],
  ["a negative exponent", bytes("1e-3kb")],
  ["past 2^64: exact when 64 bits hold it", bytes("100000000000000000000000")],
  ["2^64 + 1: a tie, to the even mantissa", bytes("18446744073709551617")],
  ["2^64 + 3: a tie, up from the odd mantissa", bytes("18446744073709551619")],
  ["2^65 + 3: over half, up", bytes("36893488147419103235")],
  ["1e3 EiB: the product rounded to 64 bits", bytes("1e3eib")],
];

const CALLS = CASES.map(([, call]) => call);
let want: unknown[];
beforeAll(() => {
  want = topdown(CALLS);
});

describe("units.parse and units.parse_bytes give what topdown gives", () => {
  it.each(CASES.map(([what, [name, args]], i) => [name, what, JSON.stringify(args), i] as const))(
    "%s: %s %s",
    (_name, _what, _args, i) => expect(ours(CALLS[i] as Call)).toEqual(want[i]),
  );
});

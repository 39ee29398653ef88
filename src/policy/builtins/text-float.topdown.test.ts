import { beforeAll, describe, expect, it } from "vitest";
import { type Call, ours, topdown } from "../../../test/support/topdown.js";

/**
 * Go's strconv float formatting (text-float.ts) against topdown, through `sprintf` and, for values
 * sprintf cannot pass as float64 (zero, integral floats), a template's `printf` of a float
 * constant. Every sprintf operand here is written by JSON.stringify with a "." (topdown hands a
 * number written with an exponent and no ".", such as 1e-7, to Go as a string, which a host
 * builtin cannot tell from 1.0e-7).
 */
const printf = (format: string, constant: string): Call => [
  "strings.render_template",
  [`{{printf "${format}" ${constant}}}`, {}],
];
const sprintf = (format: string, ...values: unknown[]): Call => ["sprintf", [format, values]];

const CASES: [what: string, call: Call][] = [
  // shortest and exact digits of zero, of subnormals and of floats of 2^52 and more
  ["%v of 0.0: no digits", printf("%v", "0.0")],
  ["%g of -0.0", printf("%g", "-0.0")],
  ["%e of 0.0: exponent 0", printf("%e", "0.0")],
  ["%f of 0.0", printf("%f", "0.0")],
  ["%.3g of 0.0", printf("%.3g", "0.0")],
  ["%.0e of 0.0", printf("%.0e", "0.0")],
  ["%e of a subnormal: exact digits of a 2^-1074 multiple", sprintf("%e", 2.5e-320)],
  ["%.3g of a subnormal", sprintf("%.3g", 1.23e-310)],
  ["%f of 1e300: exact digits of a binary exponent ≥ 0", printf("%f", "1e300")],
  ["%.3f of 1e22", printf("%.3f", "1e22")],
  ["%.5g of 1e30: fewer digits than the precision, exponent form", printf("%.5g", "1e30")],
  ["%e of 1e22", printf("%e", "1e22")],
  ["%g of 1.5e21", printf("%g", "1.5e21")],
  ["%v of 1e21", printf("%v", "1e21")],
  ["%.2G of 1e-10", printf("%.2G", "1e-10")],
  // rounding (decimal.Round: half to even only on an exact half)
  ["%.2f of 0.004: rounds to no digits", sprintf("%.2f", 0.004)],
  ["%.2f of 0.0004: cut before the first digit", sprintf("%.2f", 0.0004)],
  ["%.2f of 0.125: an exact half, down to even", sprintf("%.2f", 0.125)],
  ["%.2f of 0.375: an exact half, up to even", sprintf("%.2f", 0.375)],
  ["%.0f of 2.5", sprintf("%.0f", 2.5)],
  ["%.0f of 3.5", sprintf("%.0f", 3.5)],
  ["%.0f of 0.5: half of no digits goes to 0", sprintf("%.0f", 0.5)],
  ["%.0f of 0.7", sprintf("%.0f", 0.7)],
  ["%.0f of 0.05", sprintf("%.0f", 0.05)],
  ["%.2f of 0.006: rounds up from no digits", sprintf("%.2f", 0.006)],
  ["%.1f of 9.96: a carry adds a digit", sprintf("%.1f", 9.96)],
  ["%.0e of 9.5", sprintf("%.0e", 9.5)],
  ["%.1e of 9.96", sprintf("%.1e", 9.96)],
  ["%.1g of 0.95", sprintf("%.1g", 0.95)],
  ["%.20f of 0.1: exact binary digits", sprintf("%.20f", 0.1)],
  // %e and %f layout
  ["%.5e of 1.5: zeros past the digits", sprintf("%.5e", 1.5)],
  ["%.3e of 0.0001234: a negative exponent", sprintf("%.3e", 0.0001234)],
  ["%e of -1.5", sprintf("%e", -1.5)],
  ["%E of 1.5", sprintf("%E", 1.5)],
  ["%f of 0.5: a 0 before the point", sprintf("%f", 0.5)],
  ["%.3f of 0.05: zeros after the point", sprintf("%.3f", 0.05)],
  ["%.*e with a negative precision: the default 6", sprintf("%.*e", -1, 1.5)],
  ["%.*f with a negative precision", sprintf("%.*f", -1, 1.5)],
  // %g: precision, and %e or %f by the exponent
  ["%g of 1.5: shortest", sprintf("%g", 1.5)],
  ["%.0g of 1.5: precision 0 is 1", sprintf("%.0g", 1.5)],
  ["%.3g of 1.5", sprintf("%.3g", 1.5)],
  ["%.5g of 1.5: precision cut to the digits", sprintf("%.5g", 1.5)],
  ["%.10g of 0.1", sprintf("%.10g", 0.1)],
  ["%g of 0.00001234: exponent below -4", sprintf("%g", 0.00001234)],
  ["%G of 1.5e-7", sprintf("%G", 1.5e-7)],
  ["%.2g of 123.5: exponent at the precision", sprintf("%.2g", 123.5)],
  ["%g of 1234567.5: shortest, exponent 6", sprintf("%g", 1234567.5)],
  ["%.5g of 0.00001: fewer digits than the precision", sprintf("%.5g", 0.00001)],
  ["%.3g of 0.0001234: exponent -4 stays %f", sprintf("%.3g", 0.0001234)],
];

const CALLS = CASES.map(([, call]) => call);
let want: unknown[];
beforeAll(() => {
  want = topdown(CALLS);
});

describe("float verbs give what topdown gives", () => {
  it.each(CASES.map(([what, [, args]], i) => [what, JSON.stringify(args), i] as const))(
    "%s: %s",
    (_what, _args, i) => expect(ours(CALLS[i] as Call)).toEqual(want[i]),
  );
});

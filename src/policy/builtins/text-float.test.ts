import { describe, expect, it } from "vitest";
import { formatFloat } from "./text-float.js";

// fmt never asks for 'e' or 'f' with precision -1 (sprintf and templates default both to 6), so
// these come from Go itself: go1.26 `strconv.FormatFloat(x, verb, -1, 64)` printed for each row.
describe("formatFloat with precision -1 (shortest) for e and f is Go's strconv", () => {
  it.each([
    [1.5, "1.5e+00", "1.5"],
    [0.1, "1e-01", "0.1"],
    [123456.789, "1.23456789e+05", "123456.789"],
    [1e21, "1e+21", "1000000000000000000000"],
    [1e-7, "1e-07", "0.0000001"],
    [100, "1e+02", "100"],
  ])("%d is %s and %s", (x, e, f) => {
    expect(formatFloat(x, "e", -1)).toBe(e);
    expect(formatFloat(x, "f", -1)).toBe(f);
  });
});

import { RegoSet } from "./rego-set.js";
import type { BuiltinTable } from "./table.js";
import { GoFloat, GoInt, type GoValue } from "./text-gofmt.js";
import { sprintf } from "./text-gofmt-printf.js";
import { string } from "./text-operands.js";

/**
 * `sprintf` with Go's fmt semantics as topdown feeds it (strings.go builtinSprintf): integers are
 * int64, other numbers float64, strings as such, any other value as its Rego text (a string, so
 * `%t` of `true` is `%!t(string=true)` as in OPA). A number JSON cannot carry (beyond float64)
 * throws: topdown prints its literal text, which reaches a host builtin only as Infinity.
 */
export const sprintfBuiltins: BuiltinTable = {
  sprintf: (_context, format, values) => {
    if (!Array.isArray(values)) throw new TypeError("operand 2 must be array");
    return sprintf(string(format, 1), values.map(toArg));
  },
};

function toArg(value: unknown): GoValue {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError("sprintf: number out of float64 range");
    return Number.isInteger(value) ? new GoInt(BigInt(value), "int64") : new GoFloat(value);
  }
  if (typeof value === "string") return value;
  return regoText(value);
}

/**
 * Rego's `Value.String()`: JSON-like, `", "` and `": "`, object keys sorted, a set as `{a, b}`
 * (its members in topdown's order) or `set()`.
 */
export function regoText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(regoText).join(", ")}]`;
  if (value instanceof RegoSet) {
    return value.members.length === 0 ? "set()" : `{${value.members.map(regoText).join(", ")}}`;
  }
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}: ${regoText((value as Record<string, unknown>)[k])}`).join(", ")}}`;
  }
  return JSON.stringify(value);
}

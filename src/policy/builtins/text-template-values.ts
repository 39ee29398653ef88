import { GoFloat, GoInt, type GoValue, JsonNumber, sortedKeys } from "./text-gofmt.js";
import type { NumberConstant, Operand } from "./text-template-nodes.js";

/** The zero reflect.Value: what a missing map key or an unset `dot` is (`<no value>`). */
export const INVALID = Symbol("invalid");

/**
 * A value during execution: a Go value, or INVALID. `null` is a nil interface (a JSON null inside
 * an object or array); a pipeline's result never is one, it is INVALID instead.
 */
export type Value = GoValue | typeof INVALID;

/**
 * The template's data as topdown hands it over (ast.As: encoding/json with UseNumber): objects as
 * maps, numbers as json.Number. A number beyond float64 arrives as Infinity: its text is lost.
 */
export function fromData(value: unknown): GoValue {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError("template: number out of float64 range");
    return new JsonNumber(String(value));
  }
  if (Array.isArray(value)) return value.map(fromData);
  if (typeof value === "object") {
    return new Map(Object.entries(value as object).map(([k, v]) => [k, fromData(v)]));
  }
  throw new TypeError("template: unsupported value");
}

/** indirectInterface: a nil interface is no value. */
export function concrete(v: Value): Value {
  return v === null ? INVALID : v;
}

/** text/template's truth (exec.go isTrue): not the zero value of its type, and non-empty. */
export function isTrue(value: Value): boolean {
  const v = concrete(value);
  if (v === INVALID || v === null) return false;
  if (typeof v === "boolean") return v;
  if (typeof v === "string") return v.length > 0;
  if (v instanceof JsonNumber) return v.text.length > 0;
  if (v instanceof GoInt) return v.value !== 0n;
  if (v instanceof GoFloat) return v.value !== 0;
  return Array.isArray(v) ? v.length > 0 : v.size > 0;
}

/** The length in bytes of a Go string (UTF-8). */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

export type BasicKind = "bool" | "int" | "uint" | "float" | "string" | "invalid";

/** funcs.go basicKind: the comparable kinds; maps, slices and no value are "invalid". */
export function basicKind(v: Value): BasicKind {
  if (typeof v === "boolean") return "bool";
  if (typeof v === "string" || v instanceof JsonNumber) return "string";
  if (v instanceof GoInt) return v.type === "uint8" ? "uint" : "int";
  if (v instanceof GoFloat) return "float";
  return "invalid";
}

/** The text of a string-kind value. */
export function stringOf(v: string | JsonNumber): string {
  return typeof v === "string" ? v : v.text;
}

/** reflect.Kind of a value whose basicKind is "invalid", as canCompare compares them. */
export function reflectKind(v: Value): "invalid" | "slice" | "map" {
  if (v === INVALID || v === null) return "invalid";
  return Array.isArray(v) ? "slice" : "map";
}

/** The "final" argument of a command when nothing is piped into it (exec.go missingVal). */
export const MISSING = Symbol("missing");
export type Final = Value | typeof MISSING;

/** The Go type of a function parameter: reflect.Value, interface{} or string. */
export type Param = "value" | "any" | "string";

/** What `range` walks: [index or key, element]; a map in key order, an int n as 0…n-1. */
export function* iterations(value: Value, declared: number): Generator<[Value, Value]> {
  if (value === INVALID) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield [new GoInt(BigInt(i), "int"), value[i] as GoValue];
  } else if (value instanceof Map) {
    for (const key of sortedKeys(value)) yield [key, value.get(key) ?? null];
  } else if (value instanceof GoInt) {
    if (declared > 1) throw new Error("template: can't iterate over more than one variable");
    for (let i = 0n; i < value.value; i++) yield [INVALID, new GoInt(i, value.type)];
  } else throw new Error("template: range can't iterate over this value");
}

/** validateType: an argument as a parameter of type `param` receives it. */
export function validateType(value: Value, param: Param | undefined): Value {
  if (param === "any") return value === INVALID ? null : value;
  if (param === "string" && typeof value !== "string") {
    throw new Error("template: wrong type for value; expected string");
  }
  return value;
}

export function notAFunction(args: Operand[], final: Final): void {
  if (args.length > 0 || final !== MISSING)
    throw new Error("template: can't give argument to non-function");
}

/** A number constant where no type is known (exec.go idealConstant): float if it looks like one. */
export function idealConstant(n: NumberConstant): Value {
  if (n.isComplex) throw new Error("template: complex constants are not provided");
  const hexInt = /^0[xX]/.test(n.text) && !/[pP]/.test(n.text);
  if (n.isFloat && !hexInt && !n.text.startsWith("'") && /[.eEpP]/.test(n.text)) {
    return new GoFloat(n.float);
  }
  if (n.isInt) return new GoInt(n.int, "int");
  if (n.isUint) throw new Error(`template: ${n.text} overflows int`);
  return INVALID;
}

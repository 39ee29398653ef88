import { jsonPatch } from "./data-patch.js";
import { schemaBuiltins } from "./data-schema.js";
import { equalValues, goJson, isObject, objectOperand, setHas } from "./data-value.js";
import { RegoSet } from "./rego-set.js";
import type { BuiltinTable } from "./table.js";

/** topdown/subset.go objectSubset: each key of `sub` in `sup`, its value equal or a subset. */
function objectSubset(sup: Record<string, unknown>, sub: Record<string, unknown>): boolean {
  return Object.entries(sub).every(([k, v]) => {
    if (!Object.hasOwn(sup, k)) return false;
    const s = sup[k];
    if (equalValues(s, v)) return true;
    if (isObject(s) && isObject(v)) return objectSubset(s, v);
    if (s instanceof RegoSet && v instanceof RegoSet) return setSubset(s, v);
    if (Array.isArray(s) && Array.isArray(v)) return arraySubset(s, v);
    return false;
  });
}

const setSubset = (sup: RegoSet, sub: RegoSet) => sub.members.every((m) => setHas(sup, m));

/** A contiguous run of `sup` equal to `sub`. */
function arraySubset(sup: unknown[], sub: unknown[]): boolean {
  if (sub.length > sup.length) return false;
  for (let start = 0; start + sub.length <= sup.length; start++)
    if (sub.every((v, i) => equalValues(sup[start + i], v))) return true;
  return false;
}

/** topdown's arraySetSubset, as it counts: true once as many elements of `sup` are in `sub`. */
function arraySetSubset(sup: unknown[], sub: RegoSet): boolean {
  let unmatched = sub.members.length;
  return sup.some((element) => {
    if (setHas(sub, element)) unmatched--;
    return unmatched === 0;
  });
}

/** topdown/subset.go builtinObjectSubset. */
function subset(sup: unknown, sub: unknown): boolean {
  if (isObject(sup) && isObject(sub)) return objectSubset(sup, sub);
  if (sup instanceof RegoSet && sub instanceof RegoSet) return setSubset(sup, sub);
  if (Array.isArray(sup) && Array.isArray(sub)) return arraySubset(sup, sub);
  if (Array.isArray(sup) && sub instanceof RegoSet) return arraySetSubset(sup, sub);
  throw new Error("both arguments object.subset must be of the same type or array and set");
}

/** json.marshal_with_options (topdown/encoding.go): Go's json.Marshal / MarshalIndent. */
function marshalWithOptions(value: unknown, options: unknown): string {
  let prefix = "";
  let indent = "\t";
  let implicit = false;
  let explicit: boolean | undefined;
  for (const [key, option] of Object.entries(objectOperand(options, 2))) {
    if (key === "prefix" || key === "indent") {
      if (typeof option !== "string") throw new Error(`operand 2 key ${key} failed cast to string`);
      if (key === "prefix") prefix = option;
      else indent = option;
      implicit = true;
    } else if (key === "pretty") {
      if (typeof option !== "boolean") throw new Error("operand 2 key pretty failed cast to bool");
      explicit = option;
    } else throw new Error(`operand 2 object contained unknown key ${key}`);
  }
  if (!(explicit ?? implicit)) return goJson(value);
  return prefix + goJson(value, { prefix, indent });
}

/** Go's json.Valid; JSON.parse reads the same grammar (RFC 8259). */
function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * object.subset, json.patch, json.is_valid, json.marshal_with_options,
 * json.match_schema/verify_schema.
 */
export const jsonBuiltins: BuiltinTable = {
  "object.subset": (_, sup: unknown, sub: unknown) => subset(sup, sub),
  "json.patch": (_, source: unknown, operations: unknown) => jsonPatch(source, operations),
  // Replaces opa-wasm's own, which is undefined (not false) for a non-string.
  "json.is_valid": (_, text: unknown) => typeof text === "string" && isJson(text),
  "json.marshal_with_options": (_, value: unknown, options: unknown) =>
    marshalWithOptions(value, options),
  ...schemaBuiltins,
};

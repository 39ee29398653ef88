import { schemaBuiltins } from "./data-schema.js";
import {
  compareValues,
  equalValues,
  goJson,
  isObject,
  objectOperand,
  setHas,
} from "./data-value.js";
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

/** A JSON-patch path: a JSON pointer string (RFC 6901 escapes) or an array of segments. */
function pointer(path: unknown): unknown[] {
  if (typeof path === "string") {
    if (path === "") return [];
    return path
      .replace(/^\/+/, "")
      .split("/")
      .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"));
  }
  if (Array.isArray(path)) return path;
  throw new Error("must be one of {set, array} containing string paths or array of path segments");
}

/** An object key: a segment that is not a string names the key its JSON text is. */
const keyOf = (segment: unknown) =>
  typeof segment === "string" ? segment : JSON.stringify(segment);

/** The member of `set` equal to `segment` (a set's keys are its members). */
function memberAt(set: RegoSet, segment: unknown): number {
  const i = set.members.findIndex((member) => equalValues(member, segment));
  if (i < 0) throw new Error(`path ${keyOf(segment)} does not exist in set`);
  return i;
}

function index(segment: unknown, length: number, adding: boolean): number {
  if (typeof segment === "number") segment = String(segment);
  if (adding && segment === "-") return length;
  if (typeof segment !== "string" || !/^(0|[1-9][0-9]*)$/.test(segment))
    throw new Error(`invalid array index ${keyOf(segment)}`);
  const i = Number(segment);
  if (i > (adding ? length : length - 1)) throw new Error(`array index ${segment} out of range`);
  return i;
}

function parentOf(doc: { root: unknown }, path: unknown[]): unknown {
  let node = doc.root;
  for (const segment of path.slice(0, -1)) {
    if (Array.isArray(node)) node = node[index(segment, node.length, false)];
    else if (node instanceof RegoSet) node = node.members[memberAt(node, segment)];
    else if (isObject(node) && Object.hasOwn(node, keyOf(segment))) node = node[keyOf(segment)];
    else throw new Error(`path ${path.join("/")} does not exist`);
  }
  return node;
}

function render(doc: { root: unknown }, path: unknown[]): unknown {
  if (path.length === 0) return doc.root;
  const parent = parentOf(doc, path);
  const last = path[path.length - 1];
  if (Array.isArray(parent)) return parent[index(last, parent.length, false)];
  if (parent instanceof RegoSet) return parent.members[memberAt(parent, last)];
  if (isObject(parent) && Object.hasOwn(parent, keyOf(last))) return parent[keyOf(last)];
  throw new Error(`path ${path.join("/")} does not exist`);
}

function insert(doc: { root: unknown }, path: unknown[], value: unknown): void {
  if (path.length === 0) {
    doc.root = copy(value);
    return;
  }
  const parent = parentOf(doc, path);
  const last = path[path.length - 1];
  if (Array.isArray(parent)) parent.splice(index(last, parent.length, true), 0, copy(value));
  else if (parent instanceof RegoSet) insertMember(parent, last, value);
  else if (isObject(parent)) parent[keyOf(last)] = copy(value);
  else throw new Error(`path ${path.join("/")} does not exist`);
}

/** edittree's set insert: the key must be the value; the set keeps its order. */
function insertMember(set: RegoSet, key: unknown, value: unknown): void {
  if (!equalValues(key, value)) throw new Error("set key does not equal value to be inserted");
  if (setHas(set, value)) return;
  set.members.push(copy(value));
  set.members.sort(compareValues);
}

function remove(doc: { root: unknown }, path: unknown[]): void {
  if (path.length === 0) throw new Error("cannot delete the document root");
  const parent = parentOf(doc, path);
  const last = path[path.length - 1];
  if (Array.isArray(parent)) parent.splice(index(last, parent.length, false), 1);
  else if (parent instanceof RegoSet) parent.members.splice(memberAt(parent, last), 1);
  else if (isObject(parent) && Object.hasOwn(parent, keyOf(last))) delete parent[keyOf(last)];
  else throw new Error(`path ${path.join("/")} does not exist`);
}

/** A deep copy of a value, its sets copied as sets (structuredClone would make them objects). */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (value instanceof RegoSet) return new RegoSet(value.members.map(copy));
  if (isObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)]));
  return value;
}

/** json.patch (topdown/json.go applyPatches): RFC 6902 over a copy of the document, sets too. */
function patch(source: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new Error("operand 2 must be array");
  const doc = { root: copy(source) };
  for (const op of operations) {
    if (!isObject(op)) throw new Error("must be an array of JSON-Patch objects");
    if (!("path" in op)) throw new Error("missing required attribute 'path'");
    if (typeof op.op !== "string") throw new Error("attribute 'op' must be a string");
    const path = pointer(op.path);
    const value = () => {
      if (!("value" in op)) throw new Error("missing required attribute 'value'");
      return op.value;
    };
    const from = () => {
      if (!("from" in op)) throw new Error("missing required attribute 'from'");
      return pointer(op.from);
    };
    if (op.op === "add") insert(doc, path, value());
    else if (op.op === "remove") remove(doc, path);
    else if (op.op === "replace") {
      remove(doc, path);
      insert(doc, path, value());
    } else if (op.op === "move") {
      const chunk = render(doc, from());
      remove(doc, from());
      insert(doc, path, chunk);
    } else if (op.op === "copy") insert(doc, path, render(doc, from()));
    else if (op.op === "test") {
      if (!equalValues(render(doc, path), value()))
        throw new Error("value from EditTree != patch value");
    } else throw new Error(`unrecognized op: '${op.op}'`);
  }
  return doc.root;
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

/** object.subset, json.patch, json.marshal_with_options, json.match_schema/verify_schema. */
export const jsonBuiltins: BuiltinTable = {
  "object.subset": (_, sup: unknown, sub: unknown) => subset(sup, sub),
  "json.patch": (_, source: unknown, operations: unknown) => patch(source, operations),
  "json.marshal_with_options": (_, value: unknown, options: unknown) =>
    marshalWithOptions(value, options),
  ...schemaBuiltins,
};

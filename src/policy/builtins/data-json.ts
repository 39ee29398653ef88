import { schemaBuiltins } from "./data-schema.js";
import { equalValues, goJson, isObject, objectOperand } from "./data-value.js";
import type { BuiltinTable } from "./table.js";

/** topdown/subset.go: arrays are sub-sequences; a set (an array here) is one too, see data.ts. */
function subset(sup: unknown, sub: unknown): boolean {
  if (isObject(sup) && isObject(sub))
    return Object.entries(sub).every(([k, v]) => {
      if (!(k in sup)) return false;
      const s = sup[k];
      if (equalValues(s, v)) return true;
      if ((isObject(s) && isObject(v)) || (Array.isArray(s) && Array.isArray(v)))
        return subset(s, v);
      return false;
    });
  if (Array.isArray(sup) && Array.isArray(sub)) {
    if (sub.length > sup.length) return false;
    for (let start = 0; start + sub.length <= sup.length; start++)
      if (sub.every((v, i) => equalValues(sup[start + i], v))) return true;
    return false;
  }
  throw new Error("both arguments object.subset must be of the same type or array and set");
}

/** A JSON-patch path: a JSON pointer string (RFC 6901 escapes) or an array of segments. */
function pointer(path: unknown): string[] {
  if (typeof path === "string") {
    if (path === "") return [];
    return path
      .replace(/^\/+/, "")
      .split("/")
      .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"));
  }
  if (Array.isArray(path)) return path.map((p) => (typeof p === "string" ? p : JSON.stringify(p)));
  throw new Error("must be one of {set, array} containing string paths or array of path segments");
}

function index(segment: string, length: number, adding: boolean): number {
  if (adding && segment === "-") return length;
  if (!/^(0|[1-9][0-9]*)$/.test(segment)) throw new Error(`invalid array index ${segment}`);
  const i = Number(segment);
  if (i > (adding ? length : length - 1)) throw new Error(`array index ${segment} out of range`);
  return i;
}

function parentOf(doc: { root: unknown }, path: string[]): unknown {
  let node = doc.root;
  for (const segment of path.slice(0, -1)) {
    if (Array.isArray(node)) node = node[index(segment, node.length, false)];
    else if (isObject(node) && segment in node) node = node[segment];
    else throw new Error(`path ${path.join("/")} does not exist`);
  }
  return node;
}

function render(doc: { root: unknown }, path: string[]): unknown {
  if (path.length === 0) return doc.root;
  const parent = parentOf(doc, path);
  const last = path[path.length - 1] as string;
  if (Array.isArray(parent)) return parent[index(last, parent.length, false)];
  if (isObject(parent) && last in parent) return parent[last];
  throw new Error(`path ${path.join("/")} does not exist`);
}

function insert(doc: { root: unknown }, path: string[], value: unknown): void {
  if (path.length === 0) {
    doc.root = structuredClone(value);
    return;
  }
  const parent = parentOf(doc, path);
  const last = path[path.length - 1] as string;
  if (Array.isArray(parent))
    parent.splice(index(last, parent.length, true), 0, structuredClone(value));
  else if (isObject(parent)) parent[last] = structuredClone(value);
  else throw new Error(`path ${path.join("/")} does not exist`);
}

function remove(doc: { root: unknown }, path: string[]): void {
  if (path.length === 0) throw new Error("cannot delete the document root");
  const parent = parentOf(doc, path);
  const last = path[path.length - 1] as string;
  if (Array.isArray(parent)) parent.splice(index(last, parent.length, false), 1);
  else if (isObject(parent) && last in parent) delete parent[last];
  else throw new Error(`path ${path.join("/")} does not exist`);
}

/** json.patch (topdown/json.go applyPatches): RFC 6902 over a copy of the document. */
function patch(source: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new Error("operand 2 must be array");
  const doc = { root: structuredClone(source) };
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

import { compareValues, equalValues, isObject, setOf } from "./data-value.js";
import { RegoSet } from "./rego-set.js";

/**
 * json.patch (topdown/json.go applyPatches over internal/edittree): RFC 6902 on a copy of the
 * document. The path is a JSON pointer (`~1`, `~0` escapes; leading `/`s trimmed; "" is the
 * root) or an array of segments. Array indexes follow edittree's toIndex: `-` is the length, an
 * optional sign, no leading zero; an integer segment is an index too. A set's member is its own
 * key (a segment that is not a string is a raw value, so `["s", 1]` names the member 1 of a set
 * `s`); inserting into a set needs the key to equal the value. A member edited in place (a path
 * into a composite member) leaves its set out of order: the set is settled (edittree renders it)
 * before it is searched again, before a node is read, and at the end.
 */

/**
 * The document under patch; `root` is undefined once `remove ""` took it (edittree's nil node).
 * `sets`: whether a set was edited or walked through, so the result must be settled.
 */
interface Doc {
  root: unknown;
  sets: boolean;
}

type Path = unknown[];

function parsePath(path: unknown): Path {
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

/** util.Atoi64: an optional sign, then 1 to 19 decimal digits. */
const INTEGER = /^[+-]?[0-9]{1,19}$/;

/** edittree's toIndex: where `segment` points in an array of `length` elements (unchecked). */
function toIndex(segment: unknown, length: number): number {
  if (typeof segment === "number") {
    if (!Number.isSafeInteger(segment)) throw new Error("invalid number type for indexing");
    return segment;
  }
  if (typeof segment !== "string") throw new Error("invalid type for indexing");
  if (segment === "-") return length;
  if (!INTEGER.test(segment)) throw new Error("invalid string for indexing");
  if (segment !== "0" && segment.startsWith("0"))
    throw new Error("leading zeros are not allowed in JSON paths");
  return Number(segment);
}

/**
 * An object key: a string. (topdown would also take a number segment as a number key, which a
 * JSON object cannot hold: an error here.)
 */
function toKey(segment: unknown): string {
  if (typeof segment !== "string") throw new Error(`path ${JSON.stringify(segment)} is no key`);
  return segment;
}

function missing(segment: unknown): Error {
  return new Error(`path ${JSON.stringify(segment)} does not exist`);
}

/** A deep copy of a value, its sets copied as sets (structuredClone would make them objects). */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (value instanceof RegoSet) return new RegoSet(value.members.map(copy));
  if (isObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)]));
  return value;
}

/** Puts every set under `value` back in topdown's order, without duplicates (in place). */
function settle(value: unknown): void {
  if (Array.isArray(value)) value.forEach(settle);
  else if (isObject(value)) Object.values(value).forEach(settle);
  else if (value instanceof RegoSet) {
    value.members.forEach(settle);
    const settled = setOf(value.members).members;
    settled.forEach((member, i) => {
      value.members[i] = member;
    });
    value.members.length = settled.length;
  }
}

/** Where the member equal to `segment` is in `set` (settled first), or -1. */
function memberIndex(doc: Doc, set: RegoSet, segment: unknown): number {
  doc.sets = true;
  settle(set);
  return set.members.findIndex((member) => equalValues(member, segment));
}

/** The node `path` names (edittree Unfold, RenderAtPath): every step must exist. */
function nodeAt(doc: Doc, path: Path): unknown {
  if (doc.root === undefined) throw new Error("deleted node encountered");
  let node: unknown = doc.root;
  for (const segment of path) {
    if (Array.isArray(node)) {
      const i = toIndex(segment, node.length);
      if (i < 0 || i >= node.length) throw missing(segment);
      node = node[i];
    } else if (node instanceof RegoSet) {
      const i = memberIndex(doc, node, segment);
      if (i < 0) throw new Error(`path ${JSON.stringify(segment)} does not exist in set`);
      node = node.members[i];
    } else if (isObject(node)) {
      const key = toKey(segment);
      if (!Object.hasOwn(node, key)) throw missing(segment);
      node = node[key];
    } else throw new Error(`expected composite type for path ${JSON.stringify(segment)}`);
  }
  return node;
}

/** The value at `path` as edittree renders it: its sets settled. */
function render(doc: Doc, path: Path): unknown {
  const node = nodeAt(doc, path);
  if (doc.sets) settle(node);
  return node;
}

function split(path: Path): [Path, unknown] {
  return [path.slice(0, -1), path[path.length - 1]];
}

function insert(doc: Doc, path: Path, value: unknown): void {
  if (path.length === 0) {
    doc.root = copy(value);
    return;
  }
  const [parentPath, last] = split(path);
  const parent = nodeAt(doc, parentPath);
  if (Array.isArray(parent)) {
    const i = toIndex(last, parent.length);
    if (i < 0 || i > parent.length) throw new Error("index for array insertion out of bounds");
    parent.splice(i, 0, copy(value));
  } else if (parent instanceof RegoSet) insertMember(doc, parent, last, value);
  else if (isObject(parent))
    // defineProperty: a "__proto__" key is a key here, not the prototype.
    Object.defineProperty(parent, toKey(last), {
      value: copy(value),
      writable: true,
      enumerable: true,
      configurable: true,
    });
  else throw new Error("expected composite type");
}

/** edittree's set insert: the key must be the value; a member already there stays. */
function insertMember(doc: Doc, set: RegoSet, key: unknown, value: unknown): void {
  if (!equalValues(key, value)) throw new Error("set key does not equal value to be inserted");
  if (memberIndex(doc, set, value) >= 0) return;
  set.members.push(copy(value));
  set.members.sort(compareValues);
}

function remove(doc: Doc, path: Path): void {
  if (path.length === 0) {
    if (doc.root === undefined) throw new Error("deleted node encountered");
    doc.root = undefined;
    return;
  }
  const [parentPath, last] = split(path);
  const parent = nodeAt(doc, parentPath);
  if (Array.isArray(parent)) {
    const i = toIndex(last, parent.length);
    if (i < 0 || i >= parent.length) throw new Error("index for array delete out of bounds");
    parent.splice(i, 1);
  } else if (parent instanceof RegoSet) {
    const i = memberIndex(doc, parent, last);
    if (i < 0)
      throw new Error(`cannot delete child key ${JSON.stringify(last)} that does not exist`);
    parent.members.splice(i, 1);
  } else if (isObject(parent)) {
    const key = toKey(last);
    if (!Object.hasOwn(parent, key)) throw missing(last);
    delete parent[key];
  } else throw new Error("expected composite type");
}

function attribute(op: Record<string, unknown>, name: string): unknown {
  if (!Object.hasOwn(op, name)) throw new Error(`missing required attribute '${name}'`);
  return op[name];
}

function apply(doc: Doc, op: Record<string, unknown>): void {
  attribute(op, "path");
  const kind = attribute(op, "op");
  if (typeof kind !== "string") throw new Error("attribute 'op' must be a string");
  const path = parsePath(op.path);
  const from = () => parsePath(attribute(op, "from"));
  switch (kind) {
    case "add":
      insert(doc, path, attribute(op, "value"));
      return;
    case "remove":
      remove(doc, path);
      return;
    case "replace":
      remove(doc, path);
      insert(doc, path, attribute(op, "value"));
      return;
    case "move": {
      const source = from();
      const chunk = render(doc, source);
      remove(doc, source);
      insert(doc, path, chunk);
      return;
    }
    case "copy":
      insert(doc, path, render(doc, from()));
      return;
    case "test":
      if (!equalValues(render(doc, path), attribute(op, "value")))
        throw new Error("value from EditTree != patch value");
      return;
    default:
      throw new Error(`unrecognized op: '${kind}'`);
  }
}

/** json.patch: the patched copy of `source`, sets kept; throws where topdown reports an error. */
export function jsonPatch(source: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new Error("operand 2 must be array");
  const doc: Doc = { root: copy(source), sets: false };
  for (const op of operations) {
    if (!isObject(op)) throw new Error("must be an array of JSON-Patch objects");
    apply(doc, op);
  }
  // topdown renders a nil term here (and `opa eval` panics): no value to give.
  if (doc.root === undefined) throw new Error("the patch removed the whole document");
  if (doc.sets) settle(doc.root);
  return doc.root;
}

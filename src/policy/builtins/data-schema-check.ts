import { goJson, isObject } from "./data-value.js";
import { translateGoRegex } from "./text-regex-syntax.js";

/**
 * Whether a JSON schema loads, with the message OPA gives when it does not: a port of the checks
 * internal/gojsonschema makes while parsing a schema (schema.go parseSchema, with
 * ValidatePatterns on, as topdown/jsonschema.go sets it), in the same order and wording. No
 * meta-schema validation: gojsonschema does none there. `$ref`s are followed within the document
 * (a fragment, or the root `$id` with a fragment); a reference to another document is one this
 * sidecar cannot load (topdown would fetch it): {@link UnprovableSchema}.
 */

/** A schema gojsonschema refuses; the message is its wording (without "jsonschema: "). */
export class InvalidSchema extends Error {}

/** A schema whose verdict needs what is not here: a remote document, a regex feature we lack. */
export class UnprovableSchema extends Error {}

/** gojsonschema's drafts; Hybrid (no or unknown `$schema`) accepts every draft's keywords. */
export const HYBRID = Number.MAX_SAFE_INTEGER;
const DRAFTS: Record<string, number> = {
  "http://json-schema.org/draft-04/schema": 4,
  "http://json-schema.org/draft-06/schema": 6,
  "http://json-schema.org/draft-07/schema": 7,
};
const JSON_TYPES = ["array", "boolean", "integer", "number", "null", "object", "string"];

interface Walk {
  readonly root: unknown;
  readonly draft: number;
  /** The root's `$id` (or draft-4 `id`): a `$ref` naming it is a reference into this document. */
  readonly base: string | undefined;
  /** References already followed (gojsonschema's ReferencePool). */
  readonly followed: Set<string>;
  /** Whether an `$id` stands below the root, which would scope the references inside it. */
  readonly nestedIds: boolean;
}

const fail = (message: string): never => {
  throw new InvalidSchema(message);
};
const invalidType = (expected: string, given: string): never =>
  fail(`Invalid type. Expected: ${expected}, given: ${given}`);
const isSchema = (value: unknown) => typeof value === "boolean" || isObject(value);
/** mustBeInteger: an integer number within int64 (Go reads the JSON number with Int64()). */
const isInteger = (value: unknown): value is number =>
  typeof value === "number" && Number.isInteger(value) && Math.abs(value) < 2 ** 63;

/**
 * Throws InvalidSchema or UnprovableSchema unless gojsonschema would compile `schema`; returns
 * the draft it reads the schema as (4, 6, 7, or {@link HYBRID}).
 */
export function checkSchema(schema: unknown): number {
  if (typeof schema === "boolean") return HYBRID;
  if (!isObject(schema)) fail("schema is invalid");
  const root = schema as Record<string, unknown>;
  let draft = HYBRID;
  if ("$schema" in root) {
    if (typeof root.$schema !== "string") fail("$schema must be of type string");
    draft = DRAFTS[(root.$schema as string).replace(/#$/, "")] ?? HYBRID;
  }
  const id = root[draft === 4 || (draft === HYBRID && "id" in root) ? "id" : "$id"];
  const base = typeof id === "string" ? id.replace(/#$/, "") : undefined;
  parse(root, { root, draft, base, followed: new Set(), nestedIds: hasNestedId(root, true) });
  return draft;
}

function parse(node: unknown, walk: Walk): void {
  if (walk.draft >= 6 && typeof node === "boolean") return;
  if (!isObject(node)) fail("Expected: Valid Schema, given: Invalid JSON");
  const m = node as Record<string, unknown>;
  checkAnnotations(m, walk);
  if (followReference(m, walk)) return;
  for (const check of KEYWORD_CHECKS) check(m, walk);
}

function optionalString(m: Record<string, unknown>, key: string): void {
  if (key in m && typeof m[key] !== "string") invalidType("string", key);
}

/** id/$id, definitions, title, description. */
function checkAnnotations(m: Record<string, unknown>, walk: Walk): void {
  const idKey = walk.draft === 4 || (walk.draft === HYBRID && "id" in m) ? "id" : "$id";
  optionalString(m, idKey);
  if ("definitions" in m) {
    const definitions = m.definitions;
    if (!isObject(definitions)) invalidType("Array Of Schemas", "definitions");
    for (const definition of Object.values(definitions as object)) {
      if (!isSchema(definition)) invalidType("Array Of Schemas", "definitions");
      parse(definition, walk);
    }
  }
  optionalString(m, "title");
  optionalString(m, "description");
}

/** `$ref`: parses the referenced schema once; true when this schema's other keywords are skipped. */
function followReference(m: Record<string, unknown>, walk: Walk): boolean {
  if (!("$ref" in m)) return false;
  if (typeof m.$ref !== "string") invalidType("string", "$ref");
  const ref = m.$ref as string;
  const hash = ref.indexOf("#");
  const url = hash < 0 ? ref : ref.slice(0, hash);
  const fragment = hash < 0 ? "" : ref.slice(hash + 1);
  // url.Parse: the part before "#" names itself in its error, the fragment the whole reference.
  checkEscapes(url, url.split("?")[0] as string);
  checkEscapes(ref, fragment);
  if (url !== "" && url !== walk.base) outsideDocument(url, fragment, walk);
  // An `$id` below the root changes what a reference inside it resolves against: not followed.
  if (walk.nestedIds) throw new UnprovableSchema("a $ref in a schema with nested $id scopes");
  const key = `${walk.base ?? ""}#${fragment}`;
  if (walk.followed.has(key)) return false;
  walk.followed.add(key);
  const target = pointerTarget(walk.root, fragment);
  if (!isSchema(target)) fail("Valid Schema must be of type object");
  parse(target, walk);
  return true;
}

/**
 * Go's url.Parse of a reference (gojsonreference): a `%` not followed by two hex digits in the
 * `unescaped` part (path or fragment: the query is not unescaped) fails, naming `quoted` and the
 * escape as url.unescape does.
 */
function checkEscapes(quoted: string, unescaped: string): void {
  const bad = /%(?![0-9A-Fa-f]{2})/.exec(unescaped);
  if (bad) {
    const sequence = unescaped.slice(bad.index, bad.index + 3);
    fail(`parse ${JSON.stringify(quoted)}: invalid URL escape ${JSON.stringify(sequence)}`);
  }
}

/** Whether a string `$id` (or `id`) stands anywhere below the root (over-approximated: data too). */
function hasNestedId(node: unknown, root = false): boolean {
  if (Array.isArray(node)) return node.some((item) => hasNestedId(item));
  if (!isObject(node)) return false;
  if (!root && (typeof node.$id === "string" || typeof node.id === "string")) return true;
  return Object.values(node).some((value) => hasNestedId(value));
}

/** A reference to another document: remote (not loaded here), or relative to nothing. */
function outsideDocument(url: string, fragment: string, walk: Walk): never {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(url);
  // Canonical (gojsonreference IsCanonical): scheme and host, or a file URL with an absolute path.
  const canonical =
    /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]/.test(url) || /^file:(\/\/[^/]*)?\//i.test(url);
  if (walk.base !== undefined || canonical)
    throw new UnprovableSchema(`reference ${url} names another document`);
  // gojsonreference resolves a relative reference against the empty base: an absolute path.
  const resolved = scheme ? url : `/${url.replace(/^(\.{1,2}\/)+/, "").replace(/^\//, "")}`;
  return fail(`Reference ${resolved}${fragment === "" ? "" : `#${fragment}`} must be canonical`);
}

/** gojsonpointer Get over the URL-decoded fragment; one not starting with "/" is the root. */
function pointerTarget(root: unknown, fragment: string): unknown {
  let pointer: string;
  try {
    pointer = decodeURIComponent(fragment);
  } catch {
    throw new UnprovableSchema(`invalid URL escape in reference #${fragment}`);
  }
  if (!pointer.startsWith("/")) return root;
  let node = root;
  for (const token of pointer.slice(1).split("/")) {
    if (Array.isArray(node)) {
      if (!/^[+-]?[0-9]+$/.test(token)) fail(`Invalid array index '${token}'`);
      const i = Number(token);
      if (i < 0 || i >= node.length) fail(`Out of bound array[0,${node.length}] index '${i}'`);
      node = node[i];
    } else if (isObject(node)) {
      const key = token.replaceAll("~1", "/").replaceAll("~0", "~");
      if (!Object.hasOwn(node, key)) fail(`Object has no key '${key}'`);
      node = node[key];
    } else fail(`Invalid token reference '${token}'`);
  }
  return node;
}

function checkType(m: Record<string, unknown>): void {
  if (!("type" in m)) return;
  const types = typeof m.type === "string" ? [m.type] : m.type;
  if (!Array.isArray(types)) invalidType("type", "string/Array Of Strings");
  const seen: string[] = [];
  for (const type of types as unknown[]) {
    if (typeof type !== "string") invalidType("type", "string/Array Of Strings");
    const name = type as string;
    if (!JSON_TYPES.includes(name))
      fail(
        `has a primitive type that is NOT VALID -- given: /${name}/ Expected valid values are:[${JSON_TYPES.join(" ")}]`,
      );
    if (seen.includes(name)) fail(`${name} type is duplicated`);
    seen.push(name);
  }
}

/** Go's regexp.Compile, as far as the translation tells; unsupported-but-valid is unprovable. */
function compilesInGo(pattern: string): boolean {
  try {
    translateGoRegex(pattern);
    return true;
  } catch (error) {
    if ((error as Error).message.startsWith("unsupported"))
      throw new UnprovableSchema(`pattern ${pattern}: ${(error as Error).message}`);
    return false;
  }
}

/** A keyword whose value must be a schema (bool or object) or fail with `message`. */
function subschema(m: Record<string, unknown>, key: string, walk: Walk, message: string): void {
  if (!(key in m)) return;
  if (!isSchema(m[key])) fail(message);
  parse(m[key], walk);
}

/** additionalProperties/additionalItems: a flag (in every draft) or a schema. */
function additional(m: Record<string, unknown>, key: string, walk: Walk): void {
  if (!(key in m) || typeof m[key] === "boolean") return;
  if (!isObject(m[key])) invalidType("boolean/Valid Schema", key);
  parse(m[key], walk);
}

function checkProperties(m: Record<string, unknown>, walk: Walk): void {
  if ("properties" in m) {
    if (!isObject(m.properties)) fail("Properties must be of type object");
    for (const property of Object.values(m.properties as object)) parse(property, walk);
  }
  additional(m, "additionalProperties", walk);
  if ("patternProperties" in m) {
    if (!isObject(m.patternProperties)) invalidType("Valid Schema", "patternProperties");
    for (const [pattern, schema] of Object.entries(m.patternProperties as object)) {
      if (!compilesInGo(pattern)) fail(`Invalid regex pattern '${pattern}'`);
      parse(schema, walk);
    }
  }
  if (walk.draft >= 6)
    subschema(
      m,
      "propertyNames",
      walk,
      "Invalid type. Expected: Valid Schema, given: patternProperties",
    );
  checkDependencies(m, walk);
}

function checkDependencies(m: Record<string, unknown>, walk: Walk): void {
  if (!("dependencies" in m)) return;
  if (!isObject(m.dependencies)) fail("dependencies must be of type object");
  const wrong = "Dependency must be of type Schema Or Array Of Strings";
  for (const dependency of Object.values(m.dependencies as object)) {
    if (Array.isArray(dependency)) {
      if (dependency.some((name) => typeof name !== "string")) fail(wrong);
    } else if (isSchema(dependency)) parse(dependency, walk);
    else fail(wrong);
  }
}

function checkItems(m: Record<string, unknown>, walk: Walk): void {
  if ("items" in m) {
    const wrong = "Invalid type. Expected: Valid Schema/Array Of Schemas, given: items";
    const items = Array.isArray(m.items) ? m.items : [m.items];
    for (const item of items) {
      if (!isSchema(item)) fail(wrong);
      parse(item, walk);
    }
  }
  additional(m, "additionalItems", walk);
}

/** exclusiveMinimum/exclusiveMaximum by draft: a flag on its bound (4), a number (6, 7), either. */
function checkExclusive(m: Record<string, unknown>, key: string, bound: string, draft: number) {
  if (!(key in m)) return;
  const value = m[key];
  const flag = typeof value === "boolean";
  if (draft === 4 && !flag) invalidType("boolean", key);
  if (draft === HYBRID && !flag && typeof value !== "number") invalidType("boolean/number", key);
  if (draft !== 4 && draft !== HYBRID && typeof value !== "number") invalidType("number", key);
  if (flag && !(bound in m)) fail(`${key} cannot be used without ${bound}`);
}

function checkNumbers(m: Record<string, unknown>, walk: Walk): void {
  if ("multipleOf" in m) {
    if (typeof m.multipleOf !== "number") invalidType("Number", "multipleOf");
    if ((m.multipleOf as number) <= 0) fail("multipleOf must be strictly greater than 0");
  }
  for (const [bound, exclusive] of [
    ["minimum", "exclusiveMinimum"],
    ["maximum", "exclusiveMaximum"],
  ] as const) {
    if (bound in m && typeof m[bound] !== "number") fail(`${bound} must be of a Number`);
    checkExclusive(m, exclusive, bound, walk.draft);
  }
}

/** A non-negative integer keyword (minLength, maxItems, …). */
function count(m: Record<string, unknown>, key: string): void {
  if (!(key in m)) return;
  if (!isInteger(m[key])) fail(`${key} must be of an integer`);
  if ((m[key] as number) < 0) fail(`${key} must be greater than or equal to 0`);
}

function ordered(m: Record<string, unknown>, low: string, high: string): void {
  if (low in m && high in m && (m[low] as number) > (m[high] as number))
    fail(`${low} cannot be greater than ${high}`);
}

function checkStrings(m: Record<string, unknown>): void {
  count(m, "minLength");
  count(m, "maxLength");
  ordered(m, "minLength", "maxLength");
  optionalString(m, "pattern");
  if (typeof m.pattern === "string" && !compilesInGo(m.pattern))
    fail("pattern must be a valid regex");
  optionalString(m, "format");
}

/** A keyword whose value must be an array. */
function list(m: Record<string, unknown>, key: string): unknown[] {
  if (!(key in m)) return [];
  if (!Array.isArray(m[key])) fail(`${key} must be of an array`);
  return m[key] as unknown[];
}

function checkObjectCounts(m: Record<string, unknown>): void {
  count(m, "minProperties");
  count(m, "maxProperties");
  ordered(m, "minProperties", "maxProperties");
  const names = new Set<unknown>();
  for (const name of list(m, "required")) {
    if (typeof name !== "string") invalidType("string", "required");
    if (names.has(name)) fail("required items must be unique");
    names.add(name);
  }
}

function checkArrayCounts(m: Record<string, unknown>, walk: Walk): void {
  count(m, "minItems");
  count(m, "maxItems");
  if ("uniqueItems" in m && typeof m.uniqueItems !== "boolean")
    fail("uniqueItems must be of a boolean");
  if (walk.draft >= 6 && "contains" in m) parse(m.contains, walk);
}

function checkCombinators(m: Record<string, unknown>, walk: Walk): void {
  // enum members compare as gojsonschema's number-normalised JSON.
  const members = list(m, "enum").map((v) => goJson(v));
  if (new Set(members).size !== members.length) fail("enum items must be unique");
  for (const key of ["oneOf", "anyOf", "allOf"])
    for (const schema of list(m, key)) parse(schema, walk);
  subschema(m, "not", walk, "not must be of an object");
  if (walk.draft >= 7)
    for (const key of ["if", "then", "else"])
      subschema(m, key, walk, `${key} must be of an object`);
}

const KEYWORD_CHECKS: Array<(m: Record<string, unknown>, walk: Walk) => void> = [
  checkType,
  checkProperties,
  checkItems,
  checkNumbers,
  checkStrings,
  checkObjectCounts,
  checkArrayCounts,
  checkCombinators,
];

import { createRequire } from "node:module";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import formats from "ajv-formats";
import { checkSchema, HYBRID, InvalidSchema } from "./data-schema-check.js";
import type { BuiltinTable } from "./table.js";
import { translateGoRegex } from "./text-regex-syntax.js";

/**
 * json.verify_schema and json.match_schema (topdown/jsonschema.go) with ajv in place of OPA's
 * gojsonschema: whether a schema loads, and why not, is gojsonschema's own check (ported in
 * data-schema-check.ts); validation is ajv's, on the schema rewritten as gojsonschema reads it
 * (forAjv) and with patterns matched as Go's regexp does; errors mapped to gojsonschema's
 * {error, type, field, desc} for the keywords below (the wording of others, and the order of
 * all, may differ: gojsonschema puts a combinator's error before its subschemas', names only the
 * first failing anyOf branch, and adds one for a failed allOf, which ajv has not).
 */

/** `pattern` and `patternProperties` as Go's regexp matches them (ajv's default is JavaScript's). */
const goRegExp = Object.assign((pattern: string) => translateGoRegex(pattern, { global: false }), {
  code: "goRegExp",
});

const DRAFT6_META = createRequire(import.meta.url)("ajv/dist/refs/json-schema-draft-06.json");

/**
 * An ajv for one schema, as topdown loads each schema apart: two schemas with one `$id` do not
 * clash in a shared registry. validateSchema off: whether a schema is valid is gojsonschema's check
 * (data-schema-check.ts), not the meta-schema's (gojsonschema does not apply it).
 */
function newAjv(): Ajv {
  const ajv = new Ajv({
    code: { regExp: goRegExp },
    allErrors: true,
    strict: false,
    validateFormats: true,
    validateSchema: false,
    logger: false,
  });
  (formats as unknown as { default: (a: Ajv) => void }).default(ajv);
  ajv.addMetaSchema(DRAFT6_META);
  return ajv;
}

/** Compiled schemas by their JSON text, at most this many kept (topdown caches them too). */
const CACHE_SIZE = 64;
const compiled = new Map<string, ValidateFunction>();

const DRAFT4 = /^https?:\/\/json-schema\.org\/draft-04\/schema#?$/;

/** Keywords whose value maps names to schemas, and those whose value is data, not a schema. */
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "definitions", "dependencies"]);
const LITERALS = new Set(["const", "enum", "default", "examples"]);
/** Keywords gojsonschema reads only from a draft on (schema.go: `*currentSchema.Draft >= Draft6`). */
const SINCE_DRAFT: Record<string, number> = {
  const: 6,
  contains: 6,
  propertyNames: 6,
  if: 7,
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's then keyword, data never awaited
  then: 7,
  else: 7,
};
/** What a schema with a `$ref` keeps: gojsonschema validates the reference alone (parseReference). */
const WITH_REF = new Set(["$ref", "$schema", "$id", "definitions"]);

/**
 * The schema as ajv reads gojsonschema's (`draft` from checkSchema): draft 4's boolean
 * exclusiveMinimum/exclusiveMaximum (gojsonschema takes them in every draft) become draft 6's
 * numbers; an empty `enum`, no constraint to gojsonschema, is dropped (ajv refuses it); so are
 * keywords the draft does not have, and those beside a `$ref`; draft 4's `id` (Hybrid's too, where
 * a schema has one) is ajv's `$id`, and is dropped where it is no keyword (ajv refuses `id`).
 */
function forAjv(schema: unknown, draft: number): unknown {
  if (Array.isArray(schema)) return schema.map((s) => forAjv(s, draft));
  if (typeof schema !== "object" || schema === null) return schema;
  const node = withAjvId(schema as Record<string, unknown>, draft);
  const hasRef = typeof node.$ref === "string";
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if ((SINCE_DRAFT[k] ?? 0) > draft || (hasRef && !WITH_REF.has(k))) continue;
    if (LITERALS.has(k)) out[k] = v;
    else if (SCHEMA_MAPS.has(k) && typeof v === "object" && v !== null && !Array.isArray(v))
      out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, forAjv(s, draft)]));
    else out[k] = forAjv(v, draft);
  }
  for (const [flag, bound] of [
    ["exclusiveMinimum", "minimum"],
    ["exclusiveMaximum", "maximum"],
  ] as const) {
    if (out[flag] === true) [out[flag], out[bound]] = [out[bound], undefined];
    else if (out[flag] === false) out[flag] = undefined;
  }
  if (Array.isArray(out.enum) && out.enum.length === 0) out.enum = undefined;
  if (typeof out.$schema === "string" && DRAFT4.test(out.$schema)) out.$schema = undefined;
  return JSON.parse(JSON.stringify(out));
}

/** The schema's id as ajv's `$id`: the key gojsonschema reads (schema.go keyID) is the one kept. */
function withAjvId(node: Record<string, unknown>, draft: number): Record<string, unknown> {
  const { id, $id, ...rest } = node;
  const oldId = draft === 4 || (draft === HYBRID && "id" in node);
  const value = oldId ? id : $id;
  return value === undefined ? rest : { $id: value, ...rest };
}

/** A schema or document operand: JSON text, or an object/array value. */
function load(value: unknown): unknown {
  if (typeof value === "string") {
    try {
      return JSON.parse(value);
    } catch {
      throw new InvalidSchema("invalid JSON string");
    }
  }
  if (typeof value === "object" && value !== null) return value;
  throw new InvalidSchema("wrong type, expected string or object");
}

/**
 * The schema compiled by ajv, once gojsonschema's checks (data-schema-check.ts) pass: throws
 * InvalidSchema with OPA's wording, else anything ajv throws (a schema it cannot compile).
 */
function compile(schema: unknown): ValidateFunction {
  const text = JSON.stringify(schema);
  let validate = compiled.get(text);
  if (!validate) {
    const draft = checkSchema(schema);
    validate = newAjv().compile(forAjv(schema, draft) as object | boolean);
    if (compiled.size >= CACHE_SIZE) compiled.delete(compiled.keys().next().value as string);
    compiled.set(text, validate);
  }
  return validate;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** A JSON pointer's reference tokens, unescaped (RFC 6901 section 4). */
const tokens = (pointer: string) =>
  pointer
    .split("/")
    .slice(1)
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"));

function at(document: unknown, pointer: string): unknown {
  let node = document;
  for (const part of tokens(pointer)) node = (node as Record<string, unknown>)?.[part];
  return node;
}

const list = (values: unknown) => (values as unknown[]).map((v) => JSON.stringify(v)).join(", ");

/** gojsonschema's type and description for an ajv error. */
function describe(e: ErrorObject, field: string, document: unknown): [string, string] {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return ["required", `${p.missingProperty} is required`];
    case "type":
      return [
        "invalid_type",
        `Invalid type. Expected: ${p.type}, given: ${typeOf(at(document, e.instancePath))}`,
      ];
    // ajv's minimum and maximum are inclusive (limitNumber.js); exclusive bounds are keywords.
    case "minimum":
      return ["number_gte", `Must be greater than or equal to ${p.limit}`];
    case "exclusiveMinimum":
      return ["number_gt", `Must be greater than ${p.limit}`];
    case "maximum":
      return ["number_lte", `Must be less than or equal to ${p.limit}`];
    case "exclusiveMaximum":
      return ["number_lt", `Must be less than ${p.limit}`];
    case "minLength":
      return ["string_gte", `String length must be greater than or equal to ${p.limit}`];
    case "maxLength":
      return ["string_lte", `String length must be less than or equal to ${p.limit}`];
    case "pattern":
      return ["pattern", `Does not match pattern '${p.pattern}'`];
    case "format":
      return ["format", `Does not match format '${p.format}'`];
    case "enum":
      return ["enum", `${field} must be one of the following: ${list(p.allowedValues)}`];
    case "const":
      return ["const", `${field} does not match: ${JSON.stringify(p.allowedValue)}`];
    case "multipleOf":
      return ["multiple_of", `Must be a multiple of ${p.multipleOf}`];
    case "minItems":
      return ["array_min_items", `Array must have at least ${p.limit} items`];
    case "maxItems":
      return ["array_max_items", `Array must have at most ${p.limit} items`];
    case "uniqueItems":
      return [
        "unique",
        `array items[${Math.min(p.i as number, p.j as number)},${Math.max(p.i as number, p.j as number)}] must be unique`,
      ];
    case "minProperties":
      return ["array_min_properties", `Must have at least ${p.limit} properties`];
    case "maxProperties":
      return ["array_max_properties", `Must have at most ${p.limit} properties`];
    case "additionalProperties":
      return [
        "additional_property_not_allowed",
        `Additional property ${p.additionalProperty} is not allowed`,
      ];
    case "anyOf":
      return ["number_any_of", "Must validate at least one schema (anyOf)"];
    case "oneOf":
      return ["number_one_of", "Must validate one and only one schema (oneOf)"];
    case "not":
      return ["number_not", "Must not validate the schema (not)"];
    case "false schema":
      return ["false", "False always fails validation"];
    case "contains":
      return ["contains", "At least one of the items must match"];
    case "if":
      return [
        `condition_${p.failingKeyword}`,
        `Must validate "${p.failingKeyword}" as "if" was ${p.failingKeyword === "then" ? "valid" : "not valid"}`,
      ];
    case "dependencies":
      return ["missing_dependency", `Has a dependency on ${p.missingProperty}`];
    case "propertyNames":
      return ["invalid_property_name", `Property name of "${p.propertyName}" does not match`];
    case "additionalItems":
      return ["array_no_additional_items", "No additional items allowed on array"];
    default:
      return [e.keyword, e.message ?? e.keyword];
  }
}

export const schemaBuiltins: BuiltinTable = {
  "json.verify_schema": (_, schema: unknown) => {
    try {
      compile(load(schema));
      return [true, null];
    } catch (error) {
      // A schema gojsonschema takes but ajv cannot compile has no answer here: undefined.
      if (!(error instanceof InvalidSchema)) throw error;
      return [false, `jsonschema: ${error.message}`];
    }
  },
  "json.match_schema": (_, document: unknown, schema: unknown) => {
    const doc = load(document);
    const validate = compile(load(schema));
    if (validate(doc)) return [true, []];
    // A failed validation sets errors (ajv's contract).
    const errors = (validate.errors as ErrorObject[]).map((e) => {
      const field = e.instancePath === "" ? "(Root)" : tokens(e.instancePath).join(".");
      const [type, desc] = describe(e, field, doc);
      return { error: `${field}: ${desc}`, type, field, desc };
    });
    return [false, errors];
  },
};

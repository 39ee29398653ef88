import { createRequire } from "node:module";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import formats from "ajv-formats";
import { checkSchema, InvalidSchema } from "./data-schema-check.js";
import type { BuiltinTable } from "./table.js";

/**
 * json.verify_schema and json.match_schema (topdown/jsonschema.go) with ajv in place of OPA's
 * gojsonschema: whether a schema loads, and why not, is gojsonschema's own check (ported in
 * data-schema-check.ts); validation is ajv's: drafts 6 and 7 as ajv has them, draft 4 by
 * rewriting its boolean exclusiveMinimum/exclusiveMaximum; errors mapped to gojsonschema's
 * {error, type, field, desc} for the keywords below (the wording of others, and the order of
 * all, may differ).
 */

// validateSchema off: whether a schema is valid is gojsonschema's check (data-schema-check.ts), not the
// meta-schema's (gojsonschema does not apply it).
const ajv = new Ajv({
  allErrors: true,
  strict: false,
  validateFormats: true,
  validateSchema: false,
  logger: false,
});
(formats as unknown as { default: (a: Ajv) => void }).default(ajv);
ajv.addMetaSchema(createRequire(import.meta.url)("ajv/dist/refs/json-schema-draft-06.json"));

/** Compiled schemas by their JSON text, at most this many kept (topdown caches them too). */
const CACHE_SIZE = 64;
const compiled = new Map<string, ValidateFunction>();

const DRAFT4 = /^https?:\/\/json-schema\.org\/draft-04\/schema#?$/;

/** Keywords whose value maps names to schemas, and those whose value is data, not a schema. */
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "definitions", "dependencies"]);
const LITERALS = new Set(["const", "enum", "default", "examples"]);

/**
 * The schema as ajv reads gojsonschema's: draft 4's boolean exclusiveMinimum/exclusiveMaximum
 * (gojsonschema takes them in every draft) become draft 6's numbers; an empty `enum`, no
 * constraint to gojsonschema, is dropped (ajv refuses it).
 */
function forAjv(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(forAjv);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (LITERALS.has(k)) out[k] = v;
    else if (SCHEMA_MAPS.has(k) && typeof v === "object" && v !== null && !Array.isArray(v))
      out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, forAjv(s)]));
    else out[k] = forAjv(v);
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
    checkSchema(schema);
    validate = ajv.compile(forAjv(schema) as object | boolean);
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

function at(document: unknown, pointer: string): unknown {
  let node = document;
  for (const part of pointer.split("/").slice(1))
    node = (node as Record<string, unknown>)?.[part.replaceAll("~1", "/").replaceAll("~0", "~")];
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
    case "minimum":
      return [
        p.comparison === ">" ? "number_gt" : "number_gte",
        `Must be greater than${p.comparison === ">" ? "" : " or equal to"} ${p.limit}`,
      ];
    case "exclusiveMinimum":
      return ["number_gt", `Must be greater than ${p.limit}`];
    case "maximum":
      return [
        p.comparison === "<" ? "number_lt" : "number_lte",
        `Must be less than${p.comparison === "<" ? "" : " or equal to"} ${p.limit}`,
      ];
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
    const errors = (validate.errors ?? []).map((e) => {
      const field = e.instancePath === "" ? "(Root)" : e.instancePath.slice(1).split("/").join(".");
      const [type, desc] = describe(e, field, doc);
      return { error: `${field}: ${desc}`, type, field, desc };
    });
    return [false, errors];
  },
};

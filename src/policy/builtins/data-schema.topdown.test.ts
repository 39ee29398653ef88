import { beforeAll, describe, expect, it } from "vitest";
import { type Call, ours, topdown } from "../../../test/support/topdown.js";

/**
 * json.verify_schema and json.match_schema against topdown (internal/gojsonschema): the loading
 * checks of data-schema-check.ts and the rewriting of data-schema.ts's forAjv, one case per rule.
 */

const D4 = "http://json-schema.org/draft-04/schema#";
const D6 = "http://json-schema.org/draft-06/schema#";
const D7 = "http://json-schema.org/draft-07/schema#";

const verify = (schema: unknown): Call => ["json.verify_schema", [schema]];
/** A document other than an object goes as JSON text (topdown's operand type is string|object). */
const match = (document: unknown, schema: unknown): Call => [
  "json.match_schema",
  [typeof document === "object" && document !== null ? document : JSON.stringify(document), schema],
];

const CASES: Array<[what: string, call: Call]> = [
  // Boolean schemas (JSON text: a Rego boolean is no schema operand).
  ["a boolean schema loads", verify("true")],
  ["the true schema takes anything", match(1, "true")],
  ["the false schema takes nothing", match(1, "false")],
  ["a false subschema", match({ a: 1 }, { properties: { a: false } })],
  ["a number is no schema operand", verify(1)],
  ["null is no schema operand", verify(null)],
  ["invalid JSON text", verify("{x")],

  // $schema: an unknown one is Hybrid (every draft's keywords).
  [
    "unknown $schema: Hybrid's exclusiveMinimum check",
    verify({ $schema: "http://e/s#", exclusiveMinimum: "x" }),
  ],
  [
    "unknown $schema: Hybrid takes a number",
    verify({ $schema: "http://e/s#", exclusiveMinimum: 2 }),
  ],

  // The root id: draft 4's `id`, Hybrid's `id` when present; a $ref naming it stays inside.
  [
    "draft 4 `id` as the base of a $ref",
    verify({
      $schema: D4,
      id: "http://x/r#",
      $ref: "http://x/r#/definitions/a",
      definitions: { a: { minimum: "z" } },
    }),
  ],
  [
    "Hybrid `id` as the base of a $ref",
    verify({
      id: "http://x/r",
      $ref: "http://x/r#/definitions/a",
      definitions: { a: { minimum: "z" } },
    }),
  ],
  ["draft 4 checks a nested `id`", verify({ $schema: D4, properties: { a: { id: 1 } } })],
  [
    "draft 6 ignores `id` (no keyword there; ajv would refuse it)",
    verify({ $schema: D6, properties: { a: { id: 1 } } }),
  ],
  ["Hybrid checks a nested `$id`", verify({ properties: { a: { $id: 1 } } })],
  ["a draft 4 schema with an `id` loads", verify({ $schema: D4, id: "http://x/y" })],
  ["an `id` validates as no keyword", match(1, { id: "http://x/y", type: "string" })],
  ["one $id in two schemas (each compiled apart)", match(1, { $id: "http://dup/a", minimum: 5 })],
  ["one $id in two schemas, the second", match(1, { $id: "http://dup/a", maximum: 0 })],
  ["definitions parsed one by one", verify({ definitions: { a: { type: "string" }, b: true } })],

  // $ref: relative references resolve against no base (must be canonical).
  ["relative $ref with a fragment", verify({ $ref: "other.json#/a" })],
  ["relative $ref with dot segments", verify({ $ref: "../x/other.json" })],
  ["relative $ref with an empty fragment", verify({ $ref: "./other.json#" })],
  ["absolute-path $ref", verify({ $ref: "/abs/other.json" })],
  ["$ref with a scheme but no host", verify({ $ref: "urn:foo" })],
  ["$ref with a scheme and a fragment", verify({ $ref: "urn:foo#/bar" })],
  ["a relative file: $ref", verify({ $ref: "file:rel.json" })],
  // url.Parse: a bad % escape in the path or fragment (not the query).
  ["a bad escape in the fragment", verify({ $ref: "#%zz" })],
  ["a cut-off escape", verify({ $ref: "#/a%2" })],
  ["a bad escape in the path names the path", verify({ $ref: "a%zz.json#/x" })],
  ["the query is not unescaped", verify({ $ref: "a.json?q=%zz" })],
  ["a lone % ending the fragment", verify({ $ref: "a.json?q=%zz#%" })],
  // JSON pointers (gojsonpointer Get).
  ["a $ref to a number", verify({ $ref: "#/x", x: 5 })],
  ["a pointer through a number", verify({ $ref: "#/x/y", x: 5 })],
  ["a pointer with a non-numeric array index", verify({ $ref: "#/allOf/x", allOf: [{}] })],
  ["a pointer past an array's end", verify({ $ref: "#/allOf/5", allOf: [{}] })],
  ["a negative array index", verify({ $ref: "#/allOf/-1", allOf: [{}] })],
  ["a signed array index", verify({ $ref: "#/allOf/+0", allOf: [{ minimum: "q" }] })],
  ["an escaped pointer token", verify({ $ref: "#/a~1b", "a/b": { minimum: "q" } })],
  ["a URL-escaped pointer token", verify({ $ref: "#/a%20b", "a b": { minimum: "q" } })],
  [
    "a $ref to a string",
    verify({ $ref: "#/properties/a/type", properties: { a: { type: "string" } } }),
  ],
  ["a $ref's siblings are not parsed", verify({ $ref: "#", minimum: "z" })],
  [
    "a $ref's siblings are not validated",
    match(5, { $ref: "#/definitions/a", definitions: { a: { maximum: 1 } }, minimum: 10 }),
  ],

  // Subschema keywords.
  ["additionalProperties: a flag", verify({ additionalProperties: false })],
  ["additionalProperties: a schema, parsed", verify({ additionalProperties: { type: "bad" } })],
  ["additionalItems: a schema", verify({ additionalItems: { type: "string" } })],
  [
    "patternProperties: each schema parsed",
    verify({ patternProperties: { "^a": { type: "string" }, "^b": { type: "no" } } }),
  ],
  [
    "dependencies: schemas and name lists",
    verify({ dependencies: { a: { required: ["b"] }, c: ["d"], e: true } }),
  ],
  ["dependencies: a schema, parsed", verify({ dependencies: { a: { type: "zz" } } })],

  // exclusiveMinimum/exclusiveMaximum by draft.
  ["draft 6: a number", verify({ $schema: D6, exclusiveMinimum: 1 })],
  ["draft 6: not a number", verify({ $schema: D6, exclusiveMaximum: "1" })],
  ["draft 7: a number", verify({ $schema: D7, exclusiveMaximum: 1 })],
  ["Hybrid: a number", verify({ exclusiveMaximum: 5 })],
  ["Hybrid: neither flag nor number", verify({ exclusiveMaximum: null })],
  ["draft 4: a flag with its bound", verify({ $schema: D4, minimum: 1, exclusiveMinimum: true })],
  ["draft 4: a false flag", verify({ $schema: D4, maximum: 1, exclusiveMaximum: false })],
  ["draft 4: a number", verify({ $schema: D4, exclusiveMaximum: 1 })],

  // Counts, patterns, flags.
  ["minLength under maxLength", verify({ minLength: 1, maxLength: 2 })],
  ["minLength equal to maxLength", verify({ minLength: 2, maxLength: 2 })],
  ["minItems and maxItems", verify({ minItems: 1, maxItems: 2 })],
  ["maxProperties 1.0 is an integer", verify({ maxProperties: 1.0, minProperties: 0 })],
  ["a pattern Go compiles", verify({ pattern: "^a+$" })],
  [
    "a Unicode script class (ajv's JavaScript regex would refuse it)",
    verify({ pattern: "\\p{Greek}" }),
  ],
  ["uniqueItems: a flag", verify({ uniqueItems: true })],

  // Keywords by draft: what a draft lacks is neither parsed nor validated.
  ["draft 4 has no contains", verify({ $schema: D4, contains: 1 })],
  ["draft 4 does not validate contains", match([1], { $schema: D4, contains: { type: "string" } })],
  ["draft 4 has no const", match(1, { $schema: D4, const: 2 })],
  ["draft 4 has no propertyNames", verify({ $schema: D4, propertyNames: 1 })],
  [
    "draft 4 does not validate propertyNames",
    match({ a: 1 }, { $schema: D4, propertyNames: { maxLength: 0 } }),
  ],
  ["draft 6 has no if", verify({ $schema: D6, if: 1 })],
  [
    "draft 6 does not validate if/then",
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's then keyword, data never awaited
    match(1, { $schema: D6, if: { type: "integer" }, then: { type: "string" } }),
  ],
  ["draft 6 propertyNames must be a schema", verify({ $schema: D6, propertyNames: 1 })],
  ["draft 7 parses if", verify({ $schema: D7, if: { type: "x" } })],
  ["draft 4 has no boolean schemas", verify({ $schema: D4, properties: { a: false } })],
  ["draft 6 has boolean schemas", verify({ $schema: D6, properties: { a: false } })],
  [
    "a 2019-09 $schema is Hybrid",
    match(5, { $schema: "https://json-schema.org/draft/2019-09/schema", minimum: 10 }),
  ],
  [
    "draft 4 without the #",
    match(5, { $schema: "http://json-schema.org/draft-04/schema", minimum: 10 }),
  ],

  // Patterns match as Go's regexp.
  ["Go's \\s is ASCII: no \\v", match("a\u000bb", { pattern: "^a\\sb$" })],
  ["a Unicode script class", match("αβ", { pattern: "^\\p{Greek}+$" })],
  ["Go's \\w is ASCII", match("é", { pattern: "^\\w$" })],
  [
    "a patternProperties script class",
    match({ α: 1 }, { patternProperties: { "\\p{Greek}": { type: "string" } } }),
  ],

  // Each error keyword's type and wording (describe in data-schema.ts).
  [
    "invalid_type names the given type: null, array, integer, number, string, boolean, object",
    match(
      { a: null, b: [1], c: 1, d: 1.5, e: "s", f: true, g: {} },
      {
        properties: {
          a: { type: "string" },
          b: { type: "string" },
          c: { type: "string" },
          d: { type: "string" },
          e: { type: "integer" },
          f: { type: "string" },
          g: { type: "string" },
        },
      },
    ),
  ],
  ["number_gte", match({ a: 3 }, { properties: { a: { minimum: 5 } } })],
  [
    "draft 4 exclusive minimum",
    match({ a: 5 }, { $schema: D4, properties: { a: { minimum: 5, exclusiveMinimum: true } } }),
  ],
  ["number_gt", match({ a: 5 }, { properties: { a: { exclusiveMinimum: 5 } } })],
  ["number_lte", match({ a: 7 }, { properties: { a: { maximum: 5 } } })],
  [
    "Hybrid exclusive maximum flag",
    match({ a: 5 }, { properties: { a: { maximum: 5, exclusiveMaximum: true } } }),
  ],
  ["number_lt", match({ a: 5 }, { properties: { a: { exclusiveMaximum: 5 } } })],
  ["string_gte", match({ a: "ab" }, { properties: { a: { minLength: 3 } } })],
  ["string_lte", match({ a: "abcd" }, { properties: { a: { maxLength: 3 } } })],
  ["pattern", match({ a: "xy" }, { properties: { a: { pattern: "^a" } } })],
  ["format", match({ a: "x" }, { properties: { a: { format: "email" } } })],
  ["enum", match({ a: 3 }, { properties: { a: { enum: [1, "b", null] } } })],
  ["const", match({ a: 3 }, { properties: { a: { const: { k: [1] } } } })],
  ["multiple_of", match({ a: 7 }, { properties: { a: { multipleOf: 2 } } })],
  ["array_min_items", match({ a: [] }, { properties: { a: { minItems: 1 } } })],
  ["array_max_items", match({ a: [1, 2] }, { properties: { a: { maxItems: 1 } } })],
  ["unique", match({ a: [1, 2, 1] }, { properties: { a: { uniqueItems: true } } })],
  ["array_min_properties", match({ a: {} }, { properties: { a: { minProperties: 1 } } })],
  [
    "array_max_properties",
    match({ a: { x: 1, y: 2 } }, { properties: { a: { maxProperties: 1 } } }),
  ],
  [
    "additional_property_not_allowed",
    match({ a: { x: 1 } }, { properties: { a: { additionalProperties: false } } }),
  ],
  // gojsonschema names only the first failing anyOf branch: one branch, then.
  ["number_any_of", match({ a: 1 }, { properties: { a: { anyOf: [{ type: "string" }] } } })],
  [
    "number_one_of",
    match({ a: 1 }, { properties: { a: { oneOf: [{ type: "integer" }, { minimum: 0 }] } } }),
  ],
  ["number_not", match({ a: 1 }, { properties: { a: { not: { type: "integer" } } } })],
  ["contains", match({ a: [1] }, { properties: { a: { contains: { type: "string" } } } })],
  [
    "condition_then",
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's then keyword, data never awaited
    match({ a: 1 }, { properties: { a: { if: { type: "integer" }, then: { minimum: 5 } } } }),
  ],
  [
    "condition_else",
    match({ a: "x" }, { properties: { a: { if: { type: "integer" }, else: { maxLength: 0 } } } }),
  ],
  ["missing_dependency", match({ a: 1 }, { dependencies: { a: ["b"] } })],
  ["a schema dependency", match({ a: 1 }, { dependencies: { a: { required: ["c"] } } })],
  [
    "array_no_additional_items",
    match({ a: [1, 2] }, { properties: { a: { items: [{}], additionalItems: false } } }),
  ],
  ["invalid_property_name", match({ abc: 1 }, { propertyNames: { maxLength: 2 } })],
  ["required", match({ a: 1 }, { required: ["b"] })],
  [
    "a nested field is dotted",
    match(
      { a: { b: { c: 1 } } },
      { properties: { a: { properties: { b: { properties: { c: { type: "string" } } } } } } },
    ),
  ],
  [
    "a field keeps / and ~ (no pointer escapes)",
    match(
      { "x/y": 1, "p~q": 2 },
      { properties: { "x/y": { type: "string" }, "p~q": { type: "string" } } },
    ),
  ],
  ["array items are fields by index", match([1, "a"], { items: { type: "integer" } })],
];

/**
 * The errors of json.match_schema as a sorted list: their order is not gojsonschema's (a
 * combinator's own error comes first there), as data-schema.ts says.
 */
function unordered(result: unknown): unknown {
  if (!Array.isArray(result) || !Array.isArray(result[1])) return result;
  const errors = (result[1] as unknown[]).map((e) =>
    JSON.stringify(e, Object.keys(e as object).sort()),
  );
  return [result[0], errors.sort()];
}

let want: unknown[];
beforeAll(() => {
  want = topdown(CASES.map(([, call]) => call));
});

describe("json schemas load and validate as in topdown", () => {
  it.each(CASES.map(([what, call], i) => [what, JSON.stringify(call[1]), i] as const))(
    "%s: %s",
    (_what, _args, i) => {
      const [, call] = CASES[i] as [string, Call];
      expect(unordered(ours(call))).toEqual(unordered(want[i]));
    },
  );
});

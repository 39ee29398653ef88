import { describe, expect, it } from "vitest";
import { createContextSource } from "./context.js";
import { dataBuiltins } from "./data.js";

const context = createContextSource({ nowNs: () => 0n, print: () => {} }).current;

function call(name: string, args: unknown[]): unknown {
  try {
    return dataBuiltins[name]?.(context, ...args);
  } catch {
    return "<undefined>";
  }
}

// Each row: a schema and the error text of `.tools/bin/opa eval -f json 'json.verify_schema(S)'`
// (OPA v1.19.1: internal/gojsonschema's checks while loading a schema), null where it is valid.
const VERIFY: Array<[unknown, string | null]> = [
  [
    { type: "unknown_type" },
    "jsonschema: has a primitive type that is NOT VALID -- given: /unknown_type/ Expected valid values are:[array boolean integer number null object string]",
  ],
  [{ type: ["string", "string"] }, "jsonschema: string type is duplicated"],
  [{ type: 1 }, "jsonschema: Invalid type. Expected: type, given: string/Array Of Strings"],
  [{ type: [1] }, "jsonschema: Invalid type. Expected: type, given: string/Array Of Strings"],
  [{ properties: 1 }, "jsonschema: Properties must be of type object"],
  [{ properties: { a: 1 } }, "jsonschema: Expected: Valid Schema, given: Invalid JSON"],
  [{ minLength: -1 }, "jsonschema: minLength must be greater than or equal to 0"],
  [{ minLength: "a" }, "jsonschema: minLength must be of an integer"],
  [{ minLength: 1.5 }, "jsonschema: minLength must be of an integer"],
  [{ required: [1] }, "jsonschema: Invalid type. Expected: string, given: required"],
  [{ required: ["a", "a"] }, "jsonschema: required items must be unique"],
  [{ required: "a" }, "jsonschema: required must be of an array"],
  [{ enum: [1, 1] }, "jsonschema: enum items must be unique"],
  [
    {
      enum: [
        { a: 1, b: 2 },
        { b: 2, a: 1 },
      ],
    },
    "jsonschema: enum items must be unique",
  ],
  [{ pattern: "(" }, "jsonschema: pattern must be a valid regex"],
  [{ pattern: "(?=a)" }, "jsonschema: pattern must be a valid regex"],
  [{ pattern: 1 }, "jsonschema: Invalid type. Expected: string, given: pattern"],
  [{ minimum: "x" }, "jsonschema: minimum must be of a Number"],
  [{ maximum: null }, "jsonschema: maximum must be of a Number"],
  [{ items: 1 }, "jsonschema: Invalid type. Expected: Valid Schema/Array Of Schemas, given: items"],
  [
    { items: [1] },
    "jsonschema: Invalid type. Expected: Valid Schema/Array Of Schemas, given: items",
  ],
  [
    { $schema: "http://json-schema.org/draft-04/schema#", exclusiveMinimum: true },
    "jsonschema: exclusiveMinimum cannot be used without minimum",
  ],
  [
    { $schema: "http://json-schema.org/draft-04/schema#", exclusiveMinimum: 1 },
    "jsonschema: Invalid type. Expected: boolean, given: exclusiveMinimum",
  ],
  ["[1]", "jsonschema: schema is invalid"],
  ["1", "jsonschema: schema is invalid"],
  [
    '{"type": "x"}',
    "jsonschema: has a primitive type that is NOT VALID -- given: /x/ Expected valid values are:[array boolean integer number null object string]",
  ],
  [{ $ref: "#/definitions/missing" }, "jsonschema: Object has no key 'definitions'"],
  [
    { $ref: "#/definitions/a", definitions: { a: { type: "bad" } } },
    "jsonschema: has a primitive type that is NOT VALID -- given: /bad/ Expected valid values are:[array boolean integer number null object string]",
  ],
  [
    { additionalProperties: 1 },
    "jsonschema: Invalid type. Expected: boolean/Valid Schema, given: additionalProperties",
  ],
  [{ not: 1 }, "jsonschema: not must be of an object"],
  [{ if: 1 }, "jsonschema: if must be of an object"],
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's then keyword, data never awaited
  [{ then: 1 }, "jsonschema: then must be of an object"],
  [{ minLength: 3, maxLength: 2 }, "jsonschema: minLength cannot be greater than maxLength"],
  [
    { minProperties: 3, maxProperties: 2 },
    "jsonschema: minProperties cannot be greater than maxProperties",
  ],
  [{ multipleOf: 0 }, "jsonschema: multipleOf must be strictly greater than 0"],
  [{ multipleOf: "a" }, "jsonschema: Invalid type. Expected: Number, given: multipleOf"],
  [{ title: 1 }, "jsonschema: Invalid type. Expected: string, given: title"],
  [{ description: 1 }, "jsonschema: Invalid type. Expected: string, given: description"],
  [{ dependencies: { a: 1 } }, "jsonschema: Dependency must be of type Schema Or Array Of Strings"],
  [
    { dependencies: { a: [1] } },
    "jsonschema: Dependency must be of type Schema Or Array Of Strings",
  ],
  [{ dependencies: 1 }, "jsonschema: dependencies must be of type object"],
  [{ patternProperties: { "(": {} } }, "jsonschema: Invalid regex pattern '('"],
  [
    { patternProperties: 1 },
    "jsonschema: Invalid type. Expected: Valid Schema, given: patternProperties",
  ],
  [{ patternProperties: { a: 1 } }, "jsonschema: Expected: Valid Schema, given: Invalid JSON"],
  [{ allOf: {} }, "jsonschema: allOf must be of an array"],
  [{ allOf: [1] }, "jsonschema: Expected: Valid Schema, given: Invalid JSON"],
  [{ anyOf: 1 }, "jsonschema: anyOf must be of an array"],
  [{ oneOf: [true, 1] }, "jsonschema: Expected: Valid Schema, given: Invalid JSON"],
  [{ $schema: 1 }, "jsonschema: $schema must be of type string"],
  [
    { definitions: { a: 1 } },
    "jsonschema: Invalid type. Expected: Array Of Schemas, given: definitions",
  ],
  [{ definitions: 1 }, "jsonschema: Invalid type. Expected: Array Of Schemas, given: definitions"],
  [{ uniqueItems: 1 }, "jsonschema: uniqueItems must be of a boolean"],
  [
    { propertyNames: 1 },
    "jsonschema: Invalid type. Expected: Valid Schema, given: patternProperties",
  ],
  [
    { exclusiveMinimum: "x" },
    "jsonschema: Invalid type. Expected: boolean/number, given: exclusiveMinimum",
  ],
  [{ exclusiveMinimum: true }, "jsonschema: exclusiveMinimum cannot be used without minimum"],
  [{ exclusiveMaximum: false, maximum: 1 }, null],
  [
    { $schema: "http://json-schema.org/draft-07/schema#", exclusiveMinimum: true },
    "jsonschema: Invalid type. Expected: number, given: exclusiveMinimum",
  ],
  [
    { $schema: "http://json-schema.org/draft-04/schema#", properties: { a: true } },
    "jsonschema: Expected: Valid Schema, given: Invalid JSON",
  ],
  [{ $id: 1 }, "jsonschema: Invalid type. Expected: string, given: $id"],
  [{ id: 1 }, "jsonschema: Invalid type. Expected: string, given: id"],
  [{ format: 1 }, "jsonschema: Invalid type. Expected: string, given: format"],
  [{ format: "no-such-format" }, null],
  [{ contains: 1 }, "jsonschema: Expected: Valid Schema, given: Invalid JSON"],
  [{ $ref: 1 }, "jsonschema: Invalid type. Expected: string, given: $ref"],
  [{ minItems: -1 }, "jsonschema: minItems must be greater than or equal to 0"],
  [{ maxItems: "1" }, "jsonschema: maxItems must be of an integer"],
  [
    { additionalItems: 1 },
    "jsonschema: Invalid type. Expected: boolean/Valid Schema, given: additionalItems",
  ],
  [
    { type: "string", properties: { a: { type: "bogus" } } },
    "jsonschema: has a primitive type that is NOT VALID -- given: /bogus/ Expected valid values are:[array boolean integer number null object string]",
  ],
  [
    { properties: { a: { $ref: "#/properties/b" }, b: { type: "x" } } },
    "jsonschema: has a primitive type that is NOT VALID -- given: /x/ Expected valid values are:[array boolean integer number null object string]",
  ],
  [{ $ref: "#" }, null],
  [{ $ref: "other.json" }, "jsonschema: Reference /other.json must be canonical"],
  [{ allOf: [{ $ref: "#/allOf/1" }, { minimum: "z" }] }, "jsonschema: minimum must be of a Number"],
  [
    { $id: "http://x/a", $ref: "#/definitions/q", definitions: { q: { minimum: "zz" } } },
    "jsonschema: minimum must be of a Number",
  ],
  [true, "jsonschema: wrong type, expected string or object"],
  [false, "jsonschema: wrong type, expected string or object"],
  [
    { $schema: "http://json-schema.org/draft-04/schema#", not: true },
    "jsonschema: Expected: Valid Schema, given: Invalid JSON",
  ],
  [{ const: 1, enum: [] }, null],
  [{ enum: [] }, null],
  [{ maxLength: 100000000000000000000 }, "jsonschema: maxLength must be of an integer"],
];

describe("json.verify_schema words an invalid schema as gojsonschema does", () => {
  it.each(VERIFY)("%j", (schema, error) => {
    expect(call("json.verify_schema", [schema])).toEqual(
      error === null ? [true, null] : [false, error],
    );
  });
});

describe("json.match_schema takes the schemas gojsonschema takes", () => {
  it("an empty enum is no constraint (ajv would refuse the schema)", () => {
    // opa eval -f json 'json.match_schema({"a": 1}, {"properties": {"a": {"enum": []}}})'
    expect(call("json.match_schema", [{ a: 1 }, { properties: { a: { enum: [] } } }])).toEqual([
      true,
      [],
    ]);
  });

  it("a const is data: its keywords are not rewritten as draft 4's", () => {
    const value = { exclusiveMinimum: true, minimum: 1 };
    expect(call("json.match_schema", [value, { const: value }])).toEqual([true, []]);
  });

  it("an invalid schema is an error (undefined), as in topdown", () => {
    // opa eval 'json.match_schema({"id": "foo"}, {"properties": {"id": {"type": "unknown"}}})'
    expect(
      call("json.match_schema", [{ id: "foo" }, { properties: { id: { type: "unknown" } } }]),
    ).toBe("<undefined>");
  });

  // topdown answers each of these ([true, null], and for "#/%ff" "Object has no key '\ufffd'");
  // we cannot prove that answer (data-schema-check.ts UnprovableSchema), so give none.
  it.each<[unknown, string]>([
    [{ properties: { a: { $id: "http://x/b" } }, $ref: "#" }, "a $ref under a nested $id scope"],
    [{ pattern: "a(?i:b)" }, "a Go regex feature not translated (a flag group)"],
    [{ $ref: "#/%ff" }, "a pointer that is not UTF-8"],
  ])("%j (%s) is undefined, not a guess", (schema, _why) => {
    expect(call("json.verify_schema", [schema])).toBe("<undefined>");
  });

  it("a reference to another document cannot be loaded here: undefined, not an answer", () => {
    expect(call("json.verify_schema", [{ $ref: "https://example.com/schema.json" }])).toBe(
      "<undefined>",
    );
  });
});

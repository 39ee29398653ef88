import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { tool } from "../../../test/support/paths.js";
import { type Call, ours, topdown } from "../../../test/support/topdown.js";
import { createContextSource } from "./context.js";
import { BUILTINS } from "./index.js";

/**
 * The graphql.* builtins against topdown on inputs that reach the less travelled paths of the
 * gqlparser port: lexer and parser error paths, each default validation rule, the schema
 * checks, and AST objects read the way encoding/json reads them.
 */

const SCHEMA = `
  type Query {
    i(v: Int): Int
    in(v: Int!): Int
    s(v: String): String
    sn(v: String!): String
    sl(v: [String]): String
    b(v: Boolean): Boolean
    bn(v: Boolean!): Boolean
    f(v: Float): Float
    fn(v: Float!): Float
    id(v: ID): ID
    idn(v: ID!): ID
    e(v: Color): Color
    t(v: Time): Time
    o(v: In): Int
    one(v: One): Int
    d(v: Int! = 3): Int
    l(v: [Int]): [Int]
    ll(v: [[Int!]]): Int
    pet(name: String, n: Int): Pet
    u: AB
    lonely: Lonely
  }
  type Subscription { ticks: Int tocks: Int }
  enum Color { RED GREEN }
  scalar Time
  directive @tag on INPUT_OBJECT
  directive @here(x: Int) repeatable on FIELD | FRAGMENT_SPREAD
  input In @tag { req: Int! opt: Int def: Int = 1 nested: In }
  input One @oneOf { a: Int b: String }
  interface Pet { name: String }
  type Dog implements Pet { name: String bark: Int }
  type Cat implements Pet { name: String meow: String }
  interface Lonely { x: Int }
  type A { l: [Int] s: Int n: Int! e: [String] o: Dog c: Color }
  type B { l: [String] s: [Int] n: Int e: [String!] o: Cat c: Time }
  union AB = A | B
`;

type Case = [what: string, call: Call];

const valid = (what: string, query: unknown, schema: unknown = SCHEMA): Case => [
  what,
  ["graphql.is_valid", [query, schema]],
];
const parsed = (what: string, query: unknown): Case => [what, ["graphql.parse_query", [query]]];
const schemaValid = (what: string, schema: unknown): Case => [
  what,
  ["graphql.schema_is_valid", [schema]],
];

/** ValuesOfCorrectType and VariablesInAllowedPosition (graphql-rules-values.ts). */
const VALUES: Case[] = [
  valid("null for a non-null argument", "{ in(v: null) }"),
  valid("null for a nullable argument", "{ i(v: null) }"),
  valid("a list literal checks each item's literal", '{ l(v: [1, "a", 2]) }'),
  valid("an empty list literal", "{ l(v: []) }"),
  valid("a list literal where no list is expected", "{ i(v: [1]) }"),
  valid("a list in a list of non-null items", "{ ll(v: [[1, 2], [3]]) }"),
  valid("null in a list of non-null items", "{ ll(v: [[1, null]]) }"),
  valid("an Int literal for a String", "{ s(v: 1) }"),
  valid("an Int literal for an ID", "{ idn(v: 1) }"),
  valid("a Float literal for an Int", "{ in(v: 1.5) }"),
  valid("a Float literal for a Float", "{ fn(v: 1.5e3) }"),
  valid("an enum literal for a String", "{ sn(v: RED) }"),
  valid("a known enum value", "{ e(v: RED) }"),
  valid("an unknown enum value", "{ e(v: BLUE) }"),
  valid("a string for an enum", '{ e(v: "RED") }'),
  valid("a block string for an ID", '{ id(v: """x""") }'),
  valid("a Boolean for an Int", "{ i(v: true) }"),
  valid("a Boolean for a Boolean!", "{ bn(v: false) }"),
  valid("a string for a Boolean", '{ b(v: "true") }'),
  valid("anything for a custom scalar", '{ t(v: {a: [1, "b", RED]}) }'),
  valid("an object for a scalar: no fields to look up", "{ i(v: {a: 1}) }"),
  valid("an object whose member literal fails", "{ i(v: {a: 1e400}) }"),
  valid("an input object without its required field", "{ o(v: {opt: 1}) }"),
  valid("an input object with its required field", "{ o(v: {req: 1, nested: {req: 2}}) }"),
  valid("an input object with an unknown field", "{ o(v: {req: 1, zzz: 2}) }"),
  valid("an empty input object", "{ o(v: {}) }"),
  valid("an empty oneOf object", "{ one(v: {}) }"),
  valid("a oneOf object with one field", "{ one(v: {a: 1}) }"),
  valid("a oneOf object with two fields", '{ one(v: {a: 1, b: "x"}) }'),
  valid("a nullable variable in a oneOf object", "query ($x: Int) { one(v: {a: $x}) }"),
  valid("a non-null variable in a oneOf object", "query ($x: Int!) { one(v: {a: $x}) }"),
  valid("a literal in a oneOf object", "query { one(v: {b: $x}) }"),
  valid("a nullable variable where the argument has a default", "query ($x: Int) { d(v: $x) }"),
  valid(
    "a nullable variable with a default where non-null is expected",
    "query ($x: Int = 1) { in(v: $x) }",
  ),
  valid("a nullable variable with a null default", "query ($x: Int = null) { in(v: $x) }"),
  valid("a list variable for a list argument", "query ($x: [Int!]) { l(v: $x) }"),
  valid("a list variable of the wrong item type", "query ($x: [String]) { l(v: $x) }"),
  valid("a list variable for a scalar argument", "query ($x: [Int]) { i(v: $x) }"),
  valid("a variable whose default fails for its type", "query ($x: Float = 1e400) { f(v: $x) }"),
  valid(
    "an input field with a default, variable nullable",
    "query ($x: Int) { o(v: {req: 1, def: $x}) }",
  ),
];

/** The other default rules (graphql-rules.ts, graphql-rules-fragments.ts). */
const RULES: Case[] = [
  valid("an unknown argument on a field", "{ i(zzz: 1) }"),
  valid("an unknown argument on a directive", "{ i @skip(if: true, zzz: 1) }"),
  valid("a repeatable directive used twice", "{ i @here @here(x: 1) }"),
  valid("a directive where its definition does not allow it", "{ ... @here { i } }"),
  valid(
    "a misplaced directive on a fragment definition, walked from the spread and the definition",
    "{ ...F } fragment F on Query @here { i }",
  ),
  valid("a mutation the schema has no root for", "mutation { i }"),
  valid("a subscription with one field", "subscription { ticks }"),
  valid("an unknown variable type", "query ($x: Nope) { i(v: $x) }"),
  valid("a variable of an output type", "query ($x: Pet) { i }"),
  valid("a variable of an input object type", "query ($x: In) { o(v: $x) }"),
  valid("an inline fragment on an unknown type", "{ ... on Nope { i } }"),
  valid(
    "an inline fragment without a type condition",
    "{ ... { i } ... @include(if: true) { s } }",
  ),
  valid("a fragment on an unknown type", "{ ...F } fragment F on Nope { i }"),
  valid("a fragment on a scalar", "{ ...F } fragment F on Color { i }"),
  valid("an inline fragment on a scalar", "{ ... on Time { i } }"),
  valid("an undefined variable, anonymous operation", "{ i(v: $zz) }"),
  valid("an undefined variable, named operation", "query Q { i(v: $zz) }"),
  valid("a required argument not given", "{ in }"),
  valid("a required argument with a default not given", "{ d }"),
  valid("a required directive argument not given", "{ i @skip }"),
  valid("a selection on a leaf field", "{ i { x } }"),
  valid("a composite field without a selection", "{ pet }"),
  valid("an unknown fragment", "{ ...Nope }"),
  valid("a fragment that spreads itself", "{ ...F } fragment F on Query { i ...F }"),
  valid(
    "a fragment cycle through another",
    "{ ...F } fragment F on Query { ...G } fragment G on Query { pet { ...H } } fragment H on Pet { ... on Dog { ...X } } fragment X on Dog { name }",
  ),
  valid("fragments only, no operation", "fragment F on Query { i }"),
  valid(
    "introspection depth through fragments and inline fragments",
    "{ __schema { ... on __Schema { types { ...T } } ...S } } fragment S on __Schema { types { name } } fragment T on __Type { fields { type { fields { name } } } }",
  ),
  valid(
    "introspection depth under an unknown or repeated fragment",
    '{ __type(name: "A") { ...Nope ...T ...T } } fragment T on __Type { name }',
  ),
  valid("an inline fragment under an unknown field", "{ nope { ... on Query { i } } }"),
  valid("an inline fragment under a scalar field", "{ i { ... on Query { i } } }"),
  valid("a spread into an interface nothing implements", "{ lonely { ... on Dog { name } } }"),
  valid("a spread of an interface nothing implements", "{ pet { ... on Lonely { x } } }"),
  valid("a spread of a type outside the union", "{ u { ... on Dog { name } } }"),
  valid("a spread of a type inside the union", "{ u { ... on A { s } } }"),
  valid(
    "a fragment spread of a type outside the interface",
    "{ pet { ...Q } } fragment Q on Query { i }",
  ),
  valid(
    "a subscription with fragments",
    "subscription { ... on Subscription { ticks } ...F } fragment F on Subscription { tocks }",
  ),
  valid(
    "a subscription whose fields repeat through fragments",
    "subscription S { ticks ...F ...F } fragment F on Subscription { ticks }",
  ),
  valid(
    "a subscription stopping at an unknown fragment",
    "subscription { ...Nope ticks __typename }",
  ),
  valid("a subscription of an introspection field", "subscription { __typename }"),
];

/** OverlappingFieldsCanBeMerged (graphql-overlap.ts). */
const OVERLAP: Case[] = [
  valid("one field twice", "{ i i }"),
  valid("one response name for two fields", "{ x: i x: s }"),
  valid("one field with differing arguments", "{ i(v: 1) i(v: 2) }"),
  valid("one field with and without arguments", "{ i(v: 1) i }"),
  valid(
    "one field with arguments in another order",
    '{ pet(name: "a", n: 1) { name } pet(n: 1, name: "a") { name } }',
  ),
  valid("conflicting subfields", "{ pet { name } pet { name: __typename } }"),
  valid(
    "conflicting subfields two levels down",
    "{ u { ... on A { o { name } } } u { ... on A { o { name: __typename } } } }",
  ),
  valid("fields of two unknown fields", "{ nope { a } nope { a: b } }"),
  valid(
    "different fields on mutually exclusive types",
    "{ u { ... on A { x: s } ... on B { x: x } } }",
  ),
  valid("list item types that conflict", "{ u { ... on A { l } ... on B { l } } }"),
  valid("a list against a scalar", "{ u { ... on A { x: l } ... on B { x: n } } }"),
  valid("a scalar against a list", "{ u { ... on A { s } ... on B { s } } }"),
  valid("non-null against nullable", "{ u { ... on A { n } ... on B { n } } }"),
  valid("list items non-null against nullable", "{ u { ... on A { e } ... on B { e } } }"),
  valid("objects of different types", "{ u { ... on A { o { name } } ... on B { o { name } } } }"),
  valid("an enum against a custom scalar", "{ u { ... on A { c } ... on B { c } } }"),
  valid("an unknown field on one side", "{ u { ... on A { x: s } ... on B { x: zzz } } }"),
  valid("fields against a fragment", "{ x: i ...F } fragment F on Query { x: s }"),
  valid("a fragment spread twice", "{ ...F ...F i } fragment F on Query { i }"),
  valid("a spread of an unknown fragment among fields", "{ i ...Nope }"),
  valid(
    "fields against a fragment that spreads another",
    "{ x: i ...F } fragment F on Query { ...G } fragment G on Query { x: s }",
  ),
  valid(
    "two fragments that conflict",
    "{ ...F ...G } fragment F on Query { x: i } fragment G on Query { x: s }",
  ),
  valid(
    "two fragments, one spreading a third",
    "{ ...F ...G } fragment F on Query { ...H } fragment G on Query { x: s } fragment H on Query { x: i }",
  ),
  valid(
    "two fragments, the second spreading a third",
    "{ ...G ...F } fragment F on Query { ...H } fragment G on Query { x: s } fragment H on Query { x: i }",
  ),
  valid(
    "fragments within subselections",
    "{ pet { ...P } pet { ...Q name } } fragment P on Pet { name } fragment Q on Pet { name: __typename }",
  ),
  valid(
    "the same fragment within both subselections",
    "{ pet { ...P } pet { ...P } } fragment P on Pet { name }",
  ),
  valid(
    "fields against a fragment with the same field and different arguments",
    "{ pet { name } ...F } fragment F on Query { pet(n: 1) { name } }",
  ),
  valid(
    "fields against a fragment with an inline fragment",
    "{ pet { name } ...F } fragment F on Query { pet { ... on Dog { name } } }",
  ),
];

/** ValidateSchemaDocument (graphql-schema.ts, graphql-schema-checks.ts). */
const SCHEMA_CHECKS: Case[] = [
  schemaValid("a union member that does not exist", "union U = Nope type Query { a: Int }"),
  schemaValid("a union without members", "union U type Query { a: Int }"),
  schemaValid(
    "a union member that is not an object",
    "union U = I interface I { a: Int } type Query { a: Int }",
  ),
  schemaValid("an object without fields", "type Query { a: Int } type A"),
  schemaValid("an object field of an input type", "type Query { a: In } input In { x: Int }"),
  schemaValid("an enum without values", "enum E type Query { a: Int }"),
  schemaValid("an input without fields", "input I type Query { a: Int }"),
  schemaValid(
    "an input field of an object type",
    "input I { q: Query } type Query { a(i: I): Int }",
  ),
  schemaValid("an enum value with a directive", "enum E { A @deprecated B } type Query { e: E }"),
  schemaValid(
    "a directive that refers to itself",
    "directive @d(a: Int @d) on ARGUMENT_DEFINITION type Query { a: Int }",
  ),
  schemaValid("an undefined directive", "type Query { a: Int @nope }"),
  schemaValid("a directive with an unknown argument", "type Query { a: Int @deprecated(zzz: 1) }"),
  schemaValid(
    "a required directive argument given",
    "directive @r(x: Int!) on FIELD_DEFINITION type Query { a: Int @r(x: 1) }",
  ),
  schemaValid(
    "a required directive argument null",
    "directive @r(x: Int!) on FIELD_DEFINITION type Query { a: Int @r(x: null) }",
  ),
  schemaValid(
    "a required directive argument with a default",
    "directive @r(x: Int! = 1) on FIELD_DEFINITION type Query { a: Int @r }",
  ),
  schemaValid(
    "a directive on a schema definition",
    "schema @deprecated { query: Query } type Query { a: Int }",
  ),
  schemaValid("an argument of an object type", "type Query { a(q: Query): Int }"),
  schemaValid("an argument of an undefined type", "type Query { a(q: Nope): Int }"),
  schemaValid("implementing an undefined interface", "type Query implements Nope { a: Int }"),
  schemaValid("implementing an object", "type Query implements A { a: Int } type A { a: Int }"),
  schemaValid(
    "implementing an interface without fields",
    "type A implements Z { a: Int } interface Z type Query { a: Int }",
  ),
  schemaValid(
    "interface field arguments matched",
    "interface I { a(x: Int): Int } type Query implements I { a(x: Int): Int }",
  ),
  schemaValid(
    "interface field argument missing",
    "interface I { a(x: Int): Int } type Query implements I { a: Int }",
  ),
  schemaValid(
    "interface field argument of another type",
    "interface I { a(x: Int): Int } type Query implements I { a(x: String): Int }",
  ),
  schemaValid(
    "an extra optional argument",
    "interface I { a: Int } type Query implements I { a(y: Int): Int }",
  ),
  schemaValid(
    "an extra required argument",
    "interface I { a: Int } type Query implements I { a(y: Int!): Int }",
  ),
  schemaValid(
    "an extra required argument with a default",
    "interface I { a: Int } type Query implements I { a(y: Int! = 1): Int }",
  ),
  schemaValid(
    "an interface's interfaces implemented",
    "interface I implements J { a: Int } interface J { a: Int } type Query implements I & J { a: Int }",
  ),
  schemaValid(
    "interfaces implementing each other",
    "interface A implements B { a: Int } interface B implements A { a: Int } type Query { a: Int }",
  ),
  schemaValid(
    "a covariant field type",
    "interface I { p: Pet } interface Pet { n: Int } type Dog implements Pet { n: Int } type Query implements I { p: Dog }",
  ),
  schemaValid(
    "a covariant field type through a union",
    "interface I { p: U } union U = Dog type Dog { n: Int } type Query implements I { p: Dog }",
  ),
  schemaValid(
    "a field type that is not covariant",
    "interface I { p: Int } type Query implements I { p: String }",
  ),
  schemaValid(
    "a list field implemented by a scalar",
    "interface I { l: [Int] } type Query implements I { l: Int }",
  ),
  schemaValid(
    "a list field implemented by a list",
    "interface I { l: [Int] } type Query implements I { l: [Int!]! }",
  ),
  schemaValid(
    "a non-null field implemented as nullable",
    "interface I { a: Int! } type Query implements I { a: Int }",
  ),
  schemaValid(
    "all three roots",
    "schema { query: Q mutation: M subscription: S } type Q { a: Int } type M { a: Int } type S { a: Int }",
  ),
  schemaValid("a root that does not exist", "schema { query: Q mutation: Nope } type Q { a: Int }"),
  schemaValid(
    "an extension of the schema",
    "schema { query: Q } extend schema { mutation: Q } type Q { a: Int }",
  ),
  valid("a scalar as the query root", "{ __typename }", "schema { query: S } scalar S"),
  valid("a query against a schema without a Query type", "{ a }", "type A { a: Int }"),
];

/** The lexer and parser (graphql-lexer.ts, graphql-parser*.ts): the AST, or undefined. */
const SYNTAX: Case[] = [
  parsed("a control character outside a string", "{ a \u0001 }"),
  parsed("non-ASCII in a string and a comment", '{ a(s: "é€😀") # ünï\n b }'),
  parsed("carriage returns as line ends", "{\r\n a\r b\r\n}"),
  parsed("a number ending the document", "{ a(x: -"),
  parsed("floats with a fraction", "{ a(x: 1.5, y: -0.25e-3) }"),
  parsed("a float without fraction digits", "{ a(x: 1.) }"),
  parsed("a line break inside a string", '{ a(x: "ab\ncd") }'),
  parsed("a control character inside a string", '{ a(x: "a\u0002") }'),
  parsed("a backslash ending the document", '{ a(x: "\\'),
  parsed("a short unicode escape at the end", '{ a(x: "\\u12'),
  parsed("a unicode escape with a bad digit", '{ a(x: "\\u12G4") }'),
  parsed("an unknown escape", '{ a(x: "\\q") }'),
  parsed("a control character in a block string", '{ a(x: """a\u0003""") }'),
  parsed("carriage returns in a block string", '{ a(x: """\r\n  a\r  b\r\n""") }'),
  parsed("a block string line shorter than the indent", '{ a(x: """\n    a\n  \n    b\n""") }'),
  parsed("an unterminated block string", '{ a(x: """abc'),
  parsed("a name where an operation starts", "{ a } foo"),
  parsed("a lexing error the parser consumes", "{ a(x: 1) } 'q'"),
  parsed("two comments in a row", "# a\n# b\n{ a }"),
  parsed("an operation without a selection set", "query Q x"),
  parsed("an inline fragment without a selection set", "{ ... on T x }"),
  parsed("an empty selection set", "{ }"),
  parsed("empty variable definitions", "query () { a }"),
  parsed("a fragment named on", "fragment on on T { a }"),
  parsed("a spread named on", "{ ...on }"),
  parsed("a fragment without on", "fragment F x T { a }"),
  parsed("a variable in a default value", "query ($a: Int = $b) { a }"),
  parsed("an empty object and list", "{ a(x: {}, y: []) }"),
  ["a description before a non-name", ["graphql.parse_schema", ['"desc" { a }']]],
  ["an operation type that is not one", ["graphql.parse_schema", ["schema { bogus: Q }"]]],
  ["a lexing error in schema operation types", ["graphql.parse_schema", ["schema { 'q' }"]]],
  ["an empty schema extension", ["graphql.parse_schema", ["extend schema"]]],
  ["an extension of an unknown kind", ["graphql.parse_schema", ["extend thing X"]]],
  ["an unknown directive location", ["graphql.parse_schema", ["directive @d on NOWHERE"]]],
  ["a schema extension with directives", ["graphql.parse_schema", ["extend schema @d"]]],
];

/** AST objects, read as encoding/json reads them into gqlparser's structs. */
const QUERY_ROOT = "type Query { i: Int }";
const asParsed = (what: string, query: unknown, schema: unknown = QUERY_ROOT): Case => [
  what,
  ["graphql.parse", [query, schema]],
];
const OBJECTS: Case[] = [
  asParsed("a null slice field", { Operations: null }),
  asParsed("a null item in a slice of pointers no rule reads", {
    Operations: [{ Operation: "query", Comment: { List: [null] }, SelectionSet: [{ Name: "i" }] }],
  }),
  asParsed("null scalars keep their zero values", {
    Operations: [{ Name: null, Operation: "query", SelectionSet: [{ Name: "i", Alias: null }] }],
  }),
  asParsed("a null selection set is an empty one", {
    Operations: [{ Operation: "query", SelectionSet: null }],
  }),
  asParsed("a selection set that is not an array", {
    Operations: [{ Operation: "query", SelectionSet: "x" }],
  }),
  valid("a selection set that is not an array", {
    Operations: [{ Operation: "query", SelectionSet: "x" }],
  }),
  asParsed("null items in a slice of strings", "{ i }", {
    Definitions: [
      { Kind: "OBJECT", Name: "Query", Fields: [{ Name: "i", Type: { NamedType: "Int" } }] },
    ],
    Directives: [{ Name: "d", Locations: ["FIELD", null] }],
  }),
  valid("a directive defined without locations, used in a query", "{ i @d }", {
    Definitions: [
      { Kind: "OBJECT", Name: "Query", Fields: [{ Name: "i", Type: { NamedType: "Int" } }] },
    ],
    Directives: [{ Name: "d" }],
  }),
  schemaValid("a directive defined without locations, used in the schema", {
    Definitions: [
      {
        Kind: "OBJECT",
        Name: "Query",
        Fields: [{ Name: "i", Type: { NamedType: "Int" }, Directives: [{ Name: "d" }] }],
      },
    ],
    Directives: [{ Name: "d" }],
  }),
  schemaValid("a root of an unknown operation kind", {
    Definitions: [
      { Kind: "OBJECT", Name: "Q", Fields: [{ Name: "i", Type: { NamedType: "Int" } }] },
    ],
    Schema: [
      {
        OperationTypes: [
          { Operation: "query", Type: "Q" },
          { Operation: "other", Type: "Q" },
        ],
      },
    ],
  }),
  schemaValid("a union listing a member twice, without positions", {
    Definitions: [
      { Kind: "OBJECT", Name: "Query", Fields: [{ Name: "i", Type: { NamedType: "Int" } }] },
      { Kind: "UNION", Name: "U", Types: ["Query", "Query"] },
    ],
  }),
  valid("a variable of a type with both a name and an item type", {
    Operations: [
      {
        Operation: "query",
        VariableDefinitions: [
          { Variable: "x", Type: { NamedType: "Int", Elem: { NamedType: "Int" } } },
        ],
        SelectionSet: [{ Name: "i", Arguments: [{ Name: "v", Value: { Kind: 0, Raw: "x" } }] }],
      },
    ],
  }),
  valid(
    "a variable whose item type differs, both types named and listed",
    {
      Operations: [
        {
          Operation: "query",
          VariableDefinitions: [
            { Variable: "x", Type: { NamedType: "Int", Elem: { NamedType: "Float" } } },
          ],
          SelectionSet: [{ Name: "i", Arguments: [{ Name: "v", Value: { Kind: 0, Raw: "x" } }] }],
        },
      ],
    },
    {
      Definitions: [
        {
          Kind: "OBJECT",
          Name: "Query",
          Fields: [
            {
              Name: "i",
              Type: { NamedType: "Int" },
              Arguments: [{ Name: "v", Type: { NamedType: "Int", Elem: { NamedType: "Int" } } }],
            },
          ],
        },
      ],
    },
  ),
  // strconv.ParseInt(raw, 10, 64): a sign and decimal digits, in 64 bits.
  ...["0x1F", "+5", "1_0", "-9223372036854775808", "9223372036854775808"].map((raw) =>
    valid(`the Int literal ${raw}`, {
      Operations: [
        {
          Operation: "query",
          SelectionSet: [{ Name: "i", Arguments: [{ Name: "v", Value: { Kind: 1, Raw: raw } }] }],
        },
      ],
    }),
  ),
  // strconv.ParseFloat's syntax: specials, hexadecimal, underscores, and its range.
  ...[
    "NaN",
    "-NaN",
    "-Inf",
    "+infinity",
    "infin",
    "0x1p3",
    "0X1.8P+3",
    "0x.8p1",
    "0x1",
    "0x1p",
    "0xp1",
    "0x_1p0",
    "1_000.5",
    "1__0",
    "_1",
    "1_",
    "1_e5",
    "1e_5",
    "1e1_0",
    "1.2.3",
    "+.5",
    "1e",
    "1e-400",
    "0x1p-2000",
    "0x1p1023",
    "0x1p1024",
    "0x1.fffffffffffff7p1023",
    "0x1.fffffffffffff8p1023",
    "0x1fffffffffffff8p967",
    "0x1p99999",
    "0x0p99999",
  ].map((raw) =>
    valid(`the Float literal ${raw}`, {
      Operations: [
        {
          Operation: "query",
          SelectionSet: [{ Name: "f", Arguments: [{ Name: "v", Value: { Kind: 2, Raw: raw } }] }],
        },
      ],
    }),
  ),
  ...["1", "T", "yes"].map((raw) =>
    valid(`the Boolean literal ${raw}`, {
      Operations: [
        {
          Operation: "query",
          SelectionSet: [{ Name: "b", Arguments: [{ Name: "v", Value: { Kind: 5, Raw: raw } }] }],
        },
      ],
    }),
  ),
  valid("a subscription without a selection set", {
    Operations: [{ Operation: "subscription" }],
  }),
  valid("an error at a position with a source", {
    Operations: [
      {
        Operation: "query",
        SelectionSet: [{ Name: "nope", Position: { Line: 2, Column: 3, Src: { Name: "q" } } }],
      },
    ],
  }),
];

const CASES: Case[] = [...VALUES, ...RULES, ...OVERLAP, ...SCHEMA_CHECKS, ...SYNTAX, ...OBJECTS];

/**
 * Calls that fail, for their messages: the lexer's positions (in runes) and wording, Go's
 * quoting of tokens and values, and the validation messages that have no suggestions.
 */
const ERRORS: Case[] = [
  parsed("a control character", "{ a \u0001 }"),
  parsed("columns counted in runes", '{ a(s: "é€😀") b(x: 00) }'),
  parsed("a number cut short by the end", "{ a(x: -"),
  parsed("a fraction without digits", "{ a(x: 1.) }"),
  parsed("a string with a line break", '{ a(x: "ab\ncd") }'),
  parsed("a control character in a string", '{ a(x: "a\u0002") }'),
  parsed("a backslash at the end", '{ a(x: "\\'),
  parsed("a unicode escape cut short", '{ a(x: "\\u12'),
  parsed("a unicode escape with a bad digit", '{ a(x: "\\u12G4") }'),
  parsed("an unknown escape", '{ a(x: "\\q") }'),
  parsed("a control character in a block string", '{ a(x: """a\u0003""") }'),
  parsed("an unterminated block string", '{ a(x: """abc'),
  parsed("a lexing error the parser consumes", "{ a(x: 1) } 'q'"),
  parsed("an unexpected name", "{ a } foo"),
  parsed("a missing selection set", "query Q x"),
  parsed("an empty selection set", "{ }"),
  parsed("a keyword expected", "fragment F x T { a }"),
  parsed("a variable in a constant", "query ($a: Int = $b) { a }"),
  parsed(
    "a string token quoted as Go quotes it",
    '{ a } "q\\"b\\\\s\\n\\t\\r\\b\\f\\u0007\\u000b\\u0001\\u007f\\u00a0\\u200b\\ud83d\\ude00\u{f0000}é"',
  ),
  parsed("a name token", "{ a } b"),
  ["an unknown directive location", ["graphql.parse_schema", ["directive @d on NOWHERE"]]],
  ["a lexing error in schema operation types", ["graphql.parse_schema", ["schema { 'q' }"]]],
  ...(
    [
      ["Int", '{ i(v: "x") }'],
      ["Int!", '{ in(v: "x") }'],
      ["String", "{ s(v: 1) }"],
      ["String!", "{ sn(v: true) }"],
      ["[String]", "{ sl(v: 1) }"],
      ["Boolean", "{ b(v: 1) }"],
      ["Boolean!", '{ bn(v: "x") }'],
      ["Float", '{ f(v: "x") }'],
      ["Float!", "{ fn(v: true) }"],
      ["ID", "{ id(v: 1.5) }"],
      ["ID!", "{ idn(v: true) }"],
      ["an enum", "{ e(v: 1) }"],
      ["an enum, given a list", "{ e(v: [RED]) }"],
      ["an input object", "{ o(v: 1) }"],
      ["a list", '{ l(v: "x") }'],
      ["a list item", '{ ll(v: [["x"]]) }'],
      ["an Int, given a list", "{ i(v: [1, [2]]) }"],
      ["an Int, given an object", '{ i(v: {a: 1e400, b: "s"}) }'],
      ["a non-null Int, given null", "{ in(v: null) }"],
    ] as const
  ).map(
    ([type, query]): Case => [`a value that is not ${type}`, ["graphql.parse", [query, SCHEMA]]],
  ),
  [
    "a variable whose default fails, used where that type is expected",
    ["graphql.parse", ["query ($x: Float = 1e400) { f(v: $x) }", SCHEMA]],
  ],
  [
    "an undefined variable in a named operation",
    ["graphql.parse", ["query Q { i(v: $zz) }", SCHEMA]],
  ],
  [
    "conflicting subfields",
    ["graphql.parse", ["{ pet { name } pet { name: __typename } }", SCHEMA]],
  ],
  [
    "a subscription with two fields",
    ["graphql.parse", ['subscription "S" { ticks tocks }', SCHEMA]],
  ],
  [
    "a schema error without a position",
    [
      "graphql.parse",
      [
        "{ i }",
        {
          Definitions: [
            {
              Kind: "OBJECT",
              Name: "Query",
              Fields: [{ Name: "i", Type: { NamedType: "Int" }, Directives: [{ Name: "d" }] }],
            },
          ],
          Directives: [{ Name: "d" }],
        },
      ],
    ],
  ],
  [
    "a schema error quoting a name that is not UTF-16",
    [
      "graphql.parse",
      [
        "{ i }",
        {
          Definitions: [
            { Kind: "OBJECT", Name: "Query", Fields: [{ Name: "i", Type: { NamedType: "Int" } }] },
            { Kind: "UNION", Name: "U", Types: ["\ud800\u0001"] },
          ],
        },
      ],
    ],
  ],
  [
    "a schema error at a union member",
    ["graphql.parse", ["{ i }", "union U = Nope type Query { i: Int }"]],
  ],
];

/** The error a builtin throws (what OPA prints after "name: "), or "no error". */
function ourError([name, args]: Call): string {
  const context = createContextSource({ nowNs: () => 0n, print: () => {} }).current;
  try {
    BUILTINS[name]?.(context, ...args);
  } catch (error) {
    return (error as Error).message;
  }
  return "no error";
}

/**
 * topdown's error for each call (`opa eval --strict-builtin-errors`, which stops at the first
 * error: one run per call), without the "name: " prefix; "no error" where there is none.
 * test/support/topdown.ts compares results only, so this stays here.
 */
function topdownErrors(calls: Call[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), "oc-graphql-errors-"));
  try {
    return calls.map(([name, args]) => {
      const operands = args.map((_, j) => `input[${j}]`).join(", ");
      writeFileSync(join(dir, "call.rego"), `package call\n\nr := ${name}(${operands})\n`);
      writeFileSync(join(dir, "input.json"), JSON.stringify(args));
      // opa exits 2 when the evaluation fails: its JSON output is on stdout either way.
      const out = spawnSync(
        tool("opa"),
        ["eval", "--strict-builtin-errors", "-f", "json", "-d", join(dir, "call.rego")].concat([
          "-i",
          join(dir, "input.json"),
          "data.call.r",
        ]),
        { maxBuffer: 64 << 20 },
      ).stdout.toString();
      const { errors } = JSON.parse(out) as { errors?: { message: string }[] };
      const message = errors?.[0]?.message;
      return message === undefined ? "no error" : message.replace(`${name}: `, "");
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("graphql.* error texts against topdown (--strict-builtin-errors)", () => {
  let want: string[];
  beforeAll(() => {
    want = topdownErrors(ERRORS.map(([, call]) => call));
  });
  it.each(ERRORS.map(([what, call], i) => [what, call[0], i] as const))(
    "%s (%s) fails as in topdown",
    (_what, _name, i) => expect(ourError((ERRORS[i] as Case)[1])).toBe(want[i]),
  );
});

describe("graphql.* against topdown", () => {
  let want: unknown[];
  beforeAll(() => {
    want = topdown(CASES.map(([, call]) => call));
  });
  it.each(CASES.map(([what, call], i) => [what, call[0], i] as const))(
    "%s (%s) is what topdown gives",
    (_what, _name, i) => expect(ours((CASES[i] as Case)[1])).toEqual(want[i]),
  );
});

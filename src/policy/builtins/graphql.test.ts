import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createContextSource } from "./context.js";
import { graphqlBuiltins } from "./graphql.js";

const context = createContextSource({ nowNs: () => 0n, print: () => {} }).current;
const UNDEFINED = "<undefined>";

/** A builtin's result, UNDEFINED where it throws (a builtin error: undefined in Rego). */
function call(name: string, args: unknown[]): unknown {
  const builtin = graphqlBuiltins[name];
  if (!builtin) throw new Error(`no builtin ${name}`);
  try {
    return builtin(context, ...args);
  } catch {
    return UNDEFINED;
  }
}

/** The error a builtin throws (OPA's message without its "graphql.x: " prefix). */
function errorOf(name: string, args: unknown[]): string {
  try {
    graphqlBuiltins[name]?.(context, ...args);
  } catch (error) {
    return (error as Error).message;
  }
  return "no error";
}

type Case = [name: string, ...args: unknown[]];

/**
 * What the real topdown (`.tools/bin/opa eval`) gives for each case: one module with a rule per
 * case over `input`, so a single run answers them all.
 */
function opaResults(cases: Case[]): unknown[] {
  const rules = cases.map(
    ([name, ...args], i) =>
      `r${i} := {"v": x} if { x := ${name}(${args.map((_, j) => `input.c${i}[${j}]`).join(", ")}) } else := "${UNDEFINED}"`,
  );
  const input = Object.fromEntries(cases.map(([, ...args], i) => [`c${i}`, args]));
  const dir = mkdtempSync(join(tmpdir(), "graphql-test-"));
  try {
    writeFileSync(join(dir, "t.rego"), `package t\n\n${rules.join("\n")}\n`);
    const out = execFileSync(
      ".tools/bin/opa",
      ["eval", "-f", "raw", "--stdin-input", "-d", join(dir, "t.rego"), "data.t"],
      { input: JSON.stringify(input), maxBuffer: 64 << 20 },
    );
    const results = JSON.parse(out.toString()) as Record<string, unknown>;
    return cases.map((_, i) => {
      const r = results[`r${i}`];
      return r === UNDEFINED ? r : (r as { v: unknown }).v;
    });
  } finally {
    rmSync(dir, { recursive: true });
  }
}

const SCHEMA = `
  "The root" # why
  type Query {
    hero(episode: Episode, first: Int = 10): Character
    search(text: String!, limit: Int): [SearchResult!]!
    big(n: Int!, f: Float, id: ID): String
    node(by: NodeBy): Character
    when(at: Time): String
  }
  type Mutation { like(id: ID!): Int }
  type Subscription { ticks: Int, tocks: Int }
  enum Episode { NEWHOPE EMPIRE JEDI }
  scalar Time
  input NodeBy @oneOf { id: ID, name: String }
  interface Character { id: ID! name: String friends: [Character] }
  type Human implements Character { id: ID! name: String friends: [Character] height: Float }
  type Droid implements Character { id: ID! name: String friends: [Character] primaryFunction: String }
  union SearchResult = Human | Droid
  extend type Human { homePlanet: String }
`;

// Where gqlparser (so OPA) and graphql-js part ways, among ordinary inputs.
const QUERIES: string[] = [
  "{ hero { name } }",
  "query Q($e: Episode = JEDI) { hero(episode: $e) { id name ... on Human { height homePlanet } } }",
  "{ big(n: 3000000000) }", // gqlparser: Int fits in 64 bits; graphql-js: 32
  "{ big(n: 9223372036854775808) }",
  "{ big(n: 1, f: 1e400) }",
  "{ big(n: 1, id: 4) }",
  '{ big(n: 1, f: "x") }',
  "{ when(at: {any: [1, true]}) }",
  "{ hero(episode: MARS) { name } }",
  '{ hero(episode: "JEDI") { name } }',
  '{ hero { name } hero: search(text: "x") { __typename } }',
  "{ a: hero { name } a: hero { id } }",
  "{ hero { name } ...F } fragment F on Query { hero { id } }",
  "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
  "{ hero { name } } fragment Unused on Query { hero { id } }",
  "query ($x: Int) { hero { name } }",
  "query ($x: Int) { big(n: $x) }",
  "query ($x: Int = 3) { big(n: $x) }",
  "query ($x: [Int]) { big(n: $x) }",
  "query ($x: String) { node(by: {name: $x}) { id } }",
  "query ($x: String!) { node(by: {name: $x}) { id } }",
  '{ node(by: {id: 1, name: "a"}) { id } }',
  "{ node(by: {id: null}) { id } }",
  "mutation { like(id: 1) }",
  "subscription { ticks tocks }",
  "subscription S { __typename }",
  '{ search(text: "a") { ... on Human { height } ... on Droid { primaryFunction } } }',
  '{ search(text: "a") { name } }',
  "{ hero @skip(if: true) @skip(if: false) { name } }",
  "{ hero @unknown { name } }",
  "{ hero { name @include } }",
  "query @deprecated { hero { name } }",
  "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }",
  '{ __type(name: "Human") { name } }',
  "{ hero { ... on Episode { x } } }",
  "{ hero { ...F } } fragment F on SearchResult { __typename }",
  "{ a } { b }",
  "query A { hero { name } } query A { hero { id } }",
  "{ hero(episode: JEDI, episode: EMPIRE) { name } }",
  "{ hero { name } } # trailing\n",
];

const SCHEMAS: string[] = [
  SCHEMA,
  "type Query { a: Int } extend type Missing { b: Int }",
  "extend type Query { a: Int }",
  "type Query { a: Int } type Query { b: Int }",
  "type Query { a: Int } extend interface Query { b: Int }",
  "type A { a: Int }",
  "schema { query: Nope }",
  "schema { query: A } schema { query: A } type A { a: Int }",
  "type Query { a: Thing }",
  "type Query { a(x: Query): Int }",
  "type Query { __a: Int }",
  "type Query { a: Int a: String }",
  "enum E { A A } type Query { e: E }",
  "enum E { true } type Query { e: E }",
  "union U = A | A type A { a: Int } type Query { u: U }",
  "union U = Q type Query { u: U } input Q { a: Int }",
  "interface I { a: Int } type Query implements I { b: Int }",
  "interface I { a: Int! } type Query implements I { a: Int }",
  "interface I implements J { a: Int } interface J { a: Int } type Query implements I { a: Int }",
  "directive @d on FIELD type Query { a: Int @d }",
  "directive @include(if: Boolean!) on FIELD type Query { a: Int }",
  "directive @x on FIELD directive @x on FIELD type Query { a: Int }",
  "directive @r(x: Int!) on OBJECT type Query @r { a: Int }",
  "directive @r repeatable on FIELD_DEFINITION type Query { a: Int @r @r }",
  "directive @n on FIELD_DEFINITION type Query { a: Int @n @n }",
  "type Query { a: Int @deprecated(reason: 1) }",
  "input I { a: Query } type Query { a(i: I): Int }",
  '"""\n  Block\n    indented\n  """\ntype Query { "field" a: Int }',
  "type Query { a: Int } extend schema @deprecated",
  "type Query { a: [String!]! = 1 }",
];

const SYNTAX: Array<[string, string]> = [
  ["graphql.parse_query", '{ a(s: "\\u00e9\\ud83d\\ude00\\n\\"q\\"", b: """ x \\""" y """) }'],
  ["graphql.parse_query", "{ f(x: 1a: 2) }"],
  ["graphql.parse_query", "\ufeff{ a }"],
  ["graphql.parse_query", "{ a(x: 0x) }"],
  ["graphql.parse_query", "{ a(x: 00) }"],
  ["graphql.parse_query", "{ a(x: -) }"],
  ["graphql.parse_query", '{ a(x: "open) }'],
  ["graphql.parse_query", "{ a(x: 'q') }"],
  ["graphql.parse_query", "{ a } ?"],
  ["graphql.parse_query", "# only a comment"],
  ["graphql.parse_query", ""],
  ["graphql.parse_query", "fragment F($v: Int = 1) on T @d { a }"],
  ["graphql.parse_query", "{ a(x: [1, [2, {y: null}]], e: ENUM, b: true) @d(z: $v) }"],
  ["graphql.parse_query", "query\n# c1\n($a: Int\n# c2\n) {\n# c3\n a\n# c4\n}"],
  ["graphql.parse_query", '{ a(b: """\n""""\n""") }'],
  ["graphql.parse_schema", '# c0\n"d" # c1\ntype A # c2\n{ # c3\n a: Int # c4\n} # c5'],
  ["graphql.parse_schema", "extend scalar S"],
  ["graphql.parse_schema", "extend scalar S @d"],
  ["graphql.parse_schema", '"d" extend type A { a: Int }'],
  ["graphql.parse_schema", "extend union U = A | B extend enum E { X } extend input I @d"],
  ["graphql.parse_schema", "interface I implements J & K { a: Int }"],
  ["graphql.parse_schema", "directive @d(a: Int = 1 @x) repeatable on | QUERY | FIELD"],
  ["graphql.parse_schema", "schema @d { query: Q mutation: M }"],
  ["graphql.parse_schema", "scalar"],
  ["graphql.parse_schema", "type A { a(b: Int c: [Int!]! = [1]): Int }"],
  ["graphql.parse_schema", "query { a }"],
];

/** A query AST given as an object the way a policy might write it (lower-case keys and all). */
const OBJECT_QUERY = {
  operations: [
    {
      Operation: "query",
      SelectionSet: [
        { Name: "hero", SelectionSet: [{ name: "name" }, { TypeCondition: "Human" }] },
        "not a selection",
        null,
      ],
    },
  ],
};

const CASES: Case[] = [
  ...QUERIES.map((q): Case => ["graphql.parse_and_verify", q, SCHEMA]),
  ...QUERIES.slice(0, 12).map((q): Case => ["graphql.parse", q, SCHEMA]),
  ...QUERIES.slice(0, 12).map((q): Case => ["graphql.is_valid", q, SCHEMA]),
  ...SCHEMAS.map((s): Case => ["graphql.schema_is_valid", s]),
  ...SCHEMAS.slice(0, 8).map((s): Case => ["graphql.parse_schema", s]),
  ...SYNTAX,
  ["graphql.parse_and_verify", OBJECT_QUERY, SCHEMA],
  ["graphql.parse_and_verify", { Operations: [{ Name: 5 }] }, SCHEMA],
  ["graphql.parse_and_verify", { Operations: "x" }, SCHEMA],
  [
    "graphql.parse",
    OBJECT_QUERY,
    {
      definitions: [
        {
          Kind: "OBJECT",
          Name: "Query",
          Fields: [
            { Name: "hero", Type: { NamedType: "Query" } },
            { Name: "name", Type: { NamedType: "String" } },
          ],
        },
      ],
    },
  ],
  [
    "graphql.is_valid",
    "{ a }",
    {
      Definitions: [
        {
          Kind: "OBJECT",
          Name: "Query",
          Fields: [{ Name: "a", Type: { NamedType: "Int", NonNull: "yes" } }],
        },
      ],
    },
  ],
  ["graphql.schema_is_valid", 42],
  ["graphql.is_valid", ["{ a }"], "type Query { a: Int }"],
  ["graphql.parse_query", { Operations: [] }],
];

describe("graphql builtins (expected values from opa eval)", () => {
  const expected = opaResults(CASES);
  it.each(CASES.map((c, i) => [i, c[0], JSON.stringify(c.slice(1)).slice(0, 90)] as const))(
    "case %i: %s %s",
    (i) => {
      const [name, ...args] = CASES[i] as Case;
      expect(call(name, args)).toEqual(expected[i]);
    },
  );
});

describe("graphql error texts (opa eval --strict-builtin-errors, without the builtin prefix)", () => {
  it.each<[string, unknown[], string]>([
    [
      "graphql.parse_query",
      ['{ a(x: "open) }'],
      "Unexpected <Invalid> in GraphQL string at location 1:16",
    ],
    [
      "graphql.parse_query",
      ["{ a(x: 00) }"],
      "Unexpected <Invalid> in GraphQL string at location 1:9",
    ],
    [
      "graphql.parse_schema",
      ["extend scalar S"],
      "Unexpected <EOF> in GraphQL string at location 1:16",
    ],
    [
      "graphql.parse",
      ["{ a }", "type Query { a: Int } type Query { b: Int }"],
      "Error in gqlparser SchemaDocument to Schema conversion: input:1:28: Cannot redeclare type Query.",
    ],
    [
      "graphql.parse",
      ["query Q($v: Int) { a }", "type Query { a: Int }"],
      'Variable "$v" is never used in operation "Q" in GraphQL string at location 1:9',
    ],
  ])("%s %j", (name, args, message) => {
    expect(errorOf(name, args)).toBe(message);
  });
});

describe("graphql bounds (beyond OPA: undefined, never false)", () => {
  const deep = (n: number) => `${"{ a ".repeat(n)}${"}".repeat(n)}`;
  const schema = "type Query { a: Query }";

  it("takes documents nested 100 deep and refuses 1000 deep", () => {
    expect(call("graphql.parse_query", [deep(100)])).not.toBe(UNDEFINED);
    expect(call("graphql.parse_query", [deep(1000)])).toBe(UNDEFINED);
    expect(call("graphql.is_valid", [deep(1000), schema])).toBe(UNDEFINED);
    expect(
      call("graphql.schema_is_valid", [`type Query { a(x: Int = ${"[".repeat(1000)}) : Int }`]),
    ).toBe(UNDEFINED);
  });

  it("refuses a query whose overlap check would take too long", () => {
    const fields = "a { a } ".repeat(2000);
    expect(call("graphql.is_valid", [`{ ${fields} }`, schema])).toBe(UNDEFINED);
  });

  it("refuses selections nested deeper than 1000 through fragment spreads", () => {
    // OPA walks them all (its answer is true); this host stops at 1000 selection sets.
    const chain = Array.from(
      { length: 600 },
      (_, i) => `fragment F${i} on Query { a { ...F${i + 1} } }`,
    );
    const query = `{ ...F0 } ${chain.join(" ")} fragment F600 on Query { __typename }`;
    expect(call("graphql.is_valid", [query, schema])).toBe(UNDEFINED);
    expect(errorOf("graphql.is_valid", [query, schema])).toBe(
      "GraphQL selections nested deeper than 1000",
    );
  });

  it("refuses an AST object nested deeper than 800", () => {
    let selection: unknown = { Name: "a" };
    for (let i = 0; i < 401; i++) selection = { Name: "a", SelectionSet: [selection] };
    const query = { Operations: [{ Operation: "query", SelectionSet: [selection] }] };
    expect(call("graphql.is_valid", [query, schema])).toBe(UNDEFINED);
    expect(call("graphql.schema_is_valid", [{ Definitions: [query] }])).toBe(UNDEFINED);
  });

  it("refuses documents over a mebibyte", () => {
    expect(call("graphql.parse_query", [`{ a${" ".repeat(1 << 20)} }`])).toBe(UNDEFINED);
  });

  it("makes an AST object gqlparser would panic on undefined (OPA crashes)", () => {
    const noType = { Definitions: [{ Kind: "OBJECT", Name: "Query", Fields: [{ Name: "a" }] }] };
    expect(call("graphql.schema_is_valid", [noType])).toBe(UNDEFINED);
  });

  // Each of these makes `opa eval` (v1.19.1) exit with a Go panic, e.g. for the first
  // `graphql.is_valid(input.q, "type Query { a(v: Int): Int }")` with input.q the object:
  // "panic: runtime error: invalid memory address or nil pointer dereference" in At().
  const operation = (op: Record<string, unknown>) => ({
    Operations: [{ Operation: "query", ...op }],
  });
  it.each<[string, unknown]>([
    [
      "an error at a position without a source",
      operation({ SelectionSet: [{ Name: "nope", Position: { Line: 1, Column: 1 } }] }),
    ],
    [
      "a value of an unknown kind (panic: unknown value kind 42)",
      operation({ SelectionSet: [{ Name: "a", Arguments: [{ Name: "v", Value: { Kind: 42 } }] }] }),
    ],
    [
      'an unknown operation type (panic: got unknown operation type "bogus")',
      { Operations: [{ Operation: "bogus", SelectionSet: [{ Name: "a" }] }] },
    ],
    ["a null operation", { Operations: [null] }],
  ])("makes a query object with %s undefined (OPA panics)", (_what, query) => {
    const schema = "type Query { a(v: Int): Int }";
    expect(call("graphql.is_valid", [query, schema])).toBe(UNDEFINED);
    expect(call("graphql.is_valid", [operation({ SelectionSet: [{ Name: "a" }] }), schema])).toBe(
      true,
    );
  });
});

describe("graphql schema cache", () => {
  it("keeps the AST of a schema as written after validating it merged its extensions", () => {
    const schema = "type Query { a: Int } extend type Query { b: Int }";
    expect(call("graphql.is_valid", ["{ a b }", schema])).toBe(true);
    expect(call("graphql.parse_schema", [schema])).toEqual({
      Definitions: [
        {
          BuiltIn: false,
          Description: "",
          Kind: "OBJECT",
          Name: "Query",
          Fields: [{ Description: "", Name: "a", Type: { NamedType: "Int", NonNull: false } }],
        },
      ],
      Extensions: [
        {
          BuiltIn: false,
          Description: "",
          Kind: "OBJECT",
          Name: "Query",
          Fields: [{ Description: "", Name: "b", Type: { NamedType: "Int", NonNull: false } }],
        },
      ],
    });
    expect(call("graphql.is_valid", ["{ b }", schema])).toBe(true);
    expect(call("graphql.is_valid", ["{ c }", schema])).toBe(false);
  });

  it("validates a query AST object produced by parse_query against a schema AST object", () => {
    const schema = "type Query { hero(id: ID): Hero } type Hero { name: String }";
    const query = call("graphql.parse_query", ["{ hero(id: 1) { name } }"]);
    const schemaAst = call("graphql.parse_schema", [schema]);
    expect(call("graphql.parse", [query, schemaAst])).toEqual([query, schemaAst]);
    expect(
      call("graphql.is_valid", [call("graphql.parse_query", ["{ hero { x } }"]), schemaAst]),
    ).toBe(false);
  });
});

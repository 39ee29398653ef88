import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { tool } from "../../../test/support/paths.js";
import { createContextSource } from "./context.js";
import { missingBuiltins } from "./index.js";
import { createRegoBuiltins, REGO_PARSE_MODULE, REGO_PARSER_LIMITS } from "./rego.js";
import { loadRegoParser, REGO_PARSER_WASM } from "./rego-parser.js";

const context = createContextSource({ nowNs: () => 0n, print: () => {} }).current;
const parser = loadRegoParser(REGO_PARSER_WASM, REGO_PARSER_LIMITS);

/** What this sidecar gives: the AST, or the error message. */
function ours(filename: string, text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(new TextDecoder().decode(parser.parseModule(filename, text))) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** What `opa eval --strict-builtin-errors` (topdown) gives, its builtin-name prefix taken off. */
function topdown(filename: string, text: string): { value: unknown } | { error: string } {
  const { result, errors } = JSON.parse(opaEval(JSON.stringify({ f: filename, m: text }))) as {
    result?: Array<{ expressions: Array<{ value: unknown }> }>;
    errors?: Array<{ message: string }>;
  };
  const error = errors?.[0]?.message;
  if (error !== undefined) return { error: error.replace(`${REGO_PARSE_MODULE}: `, "") };
  return { value: result?.[0]?.expressions[0]?.value };
}

/** opa eval's JSON output; it exits 2 with the JSON on stdout when the query has errors. */
function opaEval(input: string): string {
  const query = "rego.parse_module(input.f, input.m)";
  const args = ["eval", "-f", "json", "--strict-builtin-errors", "-I", query];
  try {
    return execFileSync(tool("opa"), args, { input, encoding: "utf8" });
  } catch (error) {
    return String((error as { stdout?: unknown }).stdout);
  }
}

const MODULES: Array<[string, string, string]> = [
  [
    "v1 syntax, imports",
    "x.rego",
    "package foo.bar\n\nimport rego.v1\nimport data.a\n\np if { a = true }",
  ],
  [
    "rules with bodies, comments, every, some, comprehensions",
    "policies/authz.rego",
    `# METADATA
# title: authz
package envoy.authz

import input.attributes.request.http as req

default allow := false

# allow GETs
allow if {
\treq.method == "GET"
\tsome i, role in input.roles
\tevery p in data.perms[role] { startswith(req.path, p) }
\tcount({x | x := input.xs[_]; x > 1.5e3}) > 0
}

deny contains msg if { msg := sprintf("%v", [{"a": [1, null, -0.25]}]) }

f(x) := y if { y := x * 2 } else := 0
a.b[c] := 1 if { c := "k" }
`,
  ],
  ["unicode and escapes", "ü.rego", 'package x\np := "\\u00e9\\n\\t😀 <&>"'],
  ["an unfinished package", "x.rego", "package foo."],
  ["v0 syntax (rego.v1 is OPA's default)", "x.rego", "package x\np { true }"],
  ["an empty module", "x.rego", ""],
  ["a compile-time error", "x.rego", "package x\nimport future.keywords.nope"],
];

describe("rego.parse_module agrees with opa eval", () => {
  it.each(MODULES)("%s", (_note, filename, text) => {
    expect(ours(filename, text)).toEqual(topdown(filename, text));
  });
});

describe("rego.parse_module's bounds", () => {
  const { table } = loaded();
  const parse = table[REGO_PARSE_MODULE];

  it("is an error for operands that are not strings, and for input past the limit", () => {
    expect(() => parse?.(context, "x.rego", 1)).toThrow(/strings/);
    const big = `package x\np := "${"a".repeat(REGO_PARSER_LIMITS.maxInputBytes)}"`;
    expect(() => parse?.(context, "x.rego", big)).toThrow(/input beyond/);
  });

  it("is an error when nesting overflows the stack, and the next call gets a fresh parser", () => {
    const deep = `package x\np := ${"[".repeat(50_000)}${"]".repeat(50_000)}`;
    expect(() => parse?.(context, "x.rego", deep)).toThrow();
    expect(ours("x.rego", "package x")).toEqual(topdown("x.rego", "package x"));
  });

  it("is an error when the parser runs out of its memory, and the next call gets a fresh one", () => {
    const small = loadRegoParser(REGO_PARSER_WASM, { ...REGO_PARSER_LIMITS, maxMemoryPages: 320 });
    const rules = Array.from({ length: 4000 }, (_, i) => `r${i} if { input.a[${i}] == "x" }`);
    expect(() => small.parseModule("x.rego", `package x\n${rules.join("\n")}`)).toThrow();
    expect(small.parseModule("x.rego", "package x").byteLength).toBeGreaterThan(0);
  });
});

describe("a bundle calling rego.parse_module", () => {
  it("is refused at load, naming the builtin and why, when the parser cannot be loaded", () => {
    const missing = new URL("file:///nonexistent/rego-parser.wasm");
    const rego = createRegoBuiltins(() => loadRegoParser(missing, REGO_PARSER_LIMITS));
    const required = [REGO_PARSE_MODULE, "count"];
    expect(missingBuiltins(required, ["count"], rego.prepare(required))).toEqual([
      expect.stringMatching(
        /^rego\.parse_module \(the Rego parser could not be loaded: ENOENT.*scripts\/build-rego-parser builds it\)$/,
      ),
    ]);
    expect(() => rego.table[REGO_PARSE_MODULE]?.(context, "x.rego", "package x")).toThrow();
  });

  it("loads the parser only for a bundle that calls it", () => {
    let loads = 0;
    const rego = createRegoBuiltins(() => {
      loads++;
      return parser;
    });
    expect(missingBuiltins(["count"], ["count"], rego.prepare(["count"]))).toEqual([]);
    expect(loads).toBe(0);
    expect(missingBuiltins([REGO_PARSE_MODULE], [], rego.prepare([REGO_PARSE_MODULE]))).toEqual([]);
    rego.prepare([REGO_PARSE_MODULE]);
    expect(loads).toBe(1);
  });
});

function loaded() {
  const rego = createRegoBuiltins(() => parser);
  rego.prepare([REGO_PARSE_MODULE]);
  return rego;
}

it("runs against the built parser", () => expect(existsSync(REGO_PARSER_WASM)).toBe(true));

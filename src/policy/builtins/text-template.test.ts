import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { createContextSource } from "./context.js";
import { templateBuiltins } from "./text-template.js";
import { MAX_OUTPUT, MAX_TEMPLATE_DEPTH } from "./text-template-exec.js";
import { MAX_NESTING } from "./text-template-tokens.js";

const contexts = createContextSource({ nowNs: () => 0n, print: () => {} });

/** Our strings.render_template as a policy sees it: a thrown error is undefined. */
function render(template: unknown, variables: unknown): unknown {
  try {
    return templateBuiltins["strings.render_template"]?.(contexts.current, template, variables);
  } catch {
    return undefined;
  }
}

/** What topdown renders for each case: `opa eval` once, an undefined case absent from the set. */
function opaRenders(cases: [string, unknown][]): Record<string, string> {
  const query = "{i: s | some i; s := strings.render_template(input[i][0], input[i][1])}";
  const out = execFileSync(".tools/bin/opa", ["eval", "-f", "json", "--stdin-input", query], {
    input: JSON.stringify(cases),
  });
  return JSON.parse(out.toString()).result[0].expressions[0].value;
}

// Templates over Go's text/template as OPA exposes it: fields and variables, pipelines, if/else
// if/with/range (with break, continue, else), define/template/block, the builtin functions,
// printf's verbs, trim markers, comments, constants, and the errors (undefined) of each.
const CASES: [string, unknown][] = [
  [
    "{{range $i, $name := .hellonames}}{{if $i}},{{end}}hello {{$name}}{{end}}",
    { hellonames: ["rohan", "john doe"] },
  ],
  ['{{$x := .a}}{{$x}}{{$x = "b"}}{{$x}}', { a: "A" }],
  [
    "{{with .u}}{{.name}}{{else}}none{{end}}|{{with .missing}}x{{else with .u}}{{.name}}!{{end}}",
    { u: { name: "Bob" } },
  ],
  ['{{if eq .n "1"}}one{{else if eq .n "2"}}two{{else}}many{{end}}', { n: 2 }],
  [
    '{{if and .a .b}}both{{end}}|{{or .x .y "dflt"}}|{{and 1 0 2}}|{{or 0 "" nil}}|{{not .a}}',
    { a: true, b: "x" },
  ],
  [
    '{{len .l}} {{len .m}} {{len .s}} {{index .l 1}} {{index .m "k"}} {{index .nested "a" 0}}',
    { l: [1, 2, 3], m: { k: "v" }, s: "héllo", nested: { a: ["z"] } },
  ],
  [
    '{{printf "%s=%d" "a" 5}}|{{printf "%v" .m}}|{{printf "%05.2f" 3.14159}}|{{print 1 2 "x" 3}}|{{println "a" 1}}',
    { m: { b: [1, "x"], a: null } },
  ],
  ['{{html "<a href=\'x\'>&"}}|{{js "a\'b\\"c<>=&\\u00e9\\u00a0"}}|{{urlquery "a b&c=d/é~"}}', {}],
  ['{{- /* comment */ -}}  x  {{- "y" -}}  z {{/* c2 */}} w', {}],
  ['{{define "T"}}[{{.}}]{{end}}{{template "T" .a}}{{template "T" "lit"}}', { a: 5 }],
  ['{{block "B" .}}default {{.x}}{{end}}|{{template "B" .}}', { x: 1 }],
  [
    '{{range .l}}{{if eq . "b"}}{{break}}{{end}}{{.}}{{end}}|{{range .l}}{{if eq . "b"}}{{continue}}{{end}}{{.}}{{end}}',
    { l: ["a", "b", "c"] },
  ],
  [
    "{{range $k, $v := .m}}{{$k}}={{$v}};{{else}}empty{{end}}|{{range .e}}x{{else}}empty{{end}}",
    { m: { b: 2, a: 1, é: 3, Z: 0 }, e: {} },
  ],
  ["{{.a.b.c}}|{{.x.y}}|{{$.a.b.c}}", { a: { b: { c: "deep" } } }],
  [
    '{{lt 1 2}} {{le 2 2}} {{gt 1.5 2.5}} {{ge "b" "a"}} {{ne 1 2}} {{eq 1 1 2}} {{eq "a" "b" "a"}}',
    {},
  ],
  ["{{lt .a .b}} {{eq .a .a}}", { a: 10, b: 9 }],
  ["{{eq .l .l}}", { l: [1] }],
  ["{{eq .missing nil}} {{eq .n nil}} {{eq nil nil}}", { n: null }],
  ["{{lt 1 2.0}}", {}],
  [
    '{{ .a | printf "%s-%s" "x" }}|{{"abc" | len}}|{{.l | len | printf "%d items"}}',
    { a: "A", l: [1, 2] },
  ],
  ["{{(index .l 0).name}}|{{(len .l)}}", { l: [{ name: "first" }] }],
  ["{{$x := 1}}{{if true}}{{$x = 2}}{{$y := 3}}{{end}}{{$x}}", {}],
  ["{{range $i, $e := .l}}{{$i}}:{{$e}} {{end}}{{range $e := .l}}{{$e}}{{end}}", { l: ["a", "b"] }],
  ["{{$i := 0}}{{range $i = .l}}{{end}}{{$i}}", { l: ["a", "b"] }],
  ["{{range 3}}{{.}}{{end}}|{{range $i := 2}}{{$i}}{{end}}|{{range 0}}x{{else}}none{{end}}", {}],
  ['{{printf "%q %x %T %T %T" "hi" "hi" 1 1.5 .n}}', { n: 1 }],
  [
    '{{slice "hello" 1 3}}|{{slice .l 1}}|{{slice .l 0 1}}|{{slice .l}}|{{index "abc" 1}}',
    { l: [1, 2, 3] },
  ],
  ["{{slice .l 0 5}}", { l: [1, 2, 3] }],
  ["{{.}}", { b: true, s: "x", n: 1.5, l: [], m: {} }],
  [
    "{{if .zero}}T{{else}}F{{end}}{{if .emptys}}T{{else}}F{{end}}{{if .f}}T{{else}}F{{end}}{{if .z}}T{{else}}F{{end}}{{if 0}}T{{else}}F{{end}}{{if 0.0}}T{{else}}F{{end}}",
    { zero: 0, emptys: "", f: false, z: null },
  ],
  ["{{nosuchfunc 1}}", {}],
  ["{{.a", {}],
  ["{{if}}{{end}}", {}],
  ["{{end}}", {}],
  ["{{range .l}}{{end}", { l: [] }],
  ["{{$undefined}}", {}],
  ["{{break}}", {}],
  ['{{template "nope"}}', {}],
  ['{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}', {}],
  ["{{len 3}}", {}],
  ["{{index .l 5}}", { l: [1] }],
  ["{{.s.x}}", { s: "str" }],
  ["{{printf}}", {}],
  ["{{printf 5}}", {}],
  ["{{printf .n}}", { n: 1 }],
  ["{{printf .s 1}}", { s: "%d!" }],
  ["{{1 | 2}}", {}],
  ['{{"a" 1}}', {}],
  ["{{.a 1}}", { a: 1 }],
  ["{{.missing 1}}", {}],
  ["{{.missing.deeper 1}}", {}],
  ["{{nil}}", {}],
  ["{{(1).x}}", {}],
  [
    "{{1e3}} {{0x10}} {{'a'}} {{1.0}} {{-0}} {{0_1}} {{1_000}} {{0b101}} {{0o17}} {{017}} {{'\\n'}} {{'\\x41'}} {{'\\u00e9'}} {{-0x1e}} {{0x1e}} {{+5}} {{.5}}",
    {},
  ],
  ["{{9223372036854775807}} {{-9223372036854775808}}", {}],
  ["{{9223372036854775808}}", {}],
  ["{{99999999999999999999}}", {}],
  ['{{"\\x41\\u00e9\\t\\101"}}|{{`raw\\n`}}', {}],
  ['{{"\\\'"}}', {}],
  ["{{'ab'}}", {}],
  ["a{{- 3}}", {}],
  ["{{-3}}", {}],
  ["{{ -3 }}", {}],
  ["x  {{- -3 -}}  y", {}],
  ["{{with $x := .a}}{{$x}}{{.}}{{end}}", { a: "A" }],
  ["{{if $x := .a}}{{$x}}{{end}}", { a: "A" }],
  ["{{range $i, $v := .m}}{{$i}}{{$v}}{{end}}", { m: { x: [1] } }],
  ['{{template "T" .}}{{define "T"}}late {{.v}}{{end}}', { v: 1 }],
  ['{{define "template"}}override{{end}}', {}],
  ['{{define "template"}}override{{end}}main', {}],
  ['  {{define "X"}}x{{end}}  ', {}],
  ['{{print nil}} {{printf "%v %d" nil nil}} {{html nil}}', {}],
  ['{{print .l .m}}|{{print "a" "b"}}|{{print .n .n}}', { l: [1, null], m: { k: true }, n: 3 }],
  [
    '{{printf "%6.2f|%-5d|%+d|%x|%X|%o|%b|%c|%U|%e|%g" 3.14159 42 5 255 255 8 5 65 9731 1234.5 0.00001}}',
    {},
  ],
  ['{{printf "%s %d" 1}}|{{printf "%d" 1 2}}|{{printf "%!"}}', {}],
  [
    '{{printf "%d" .i}}|{{printf "%s" .i}}|{{printf "%v" .f}}|{{printf "%t" .b}}|{{printf "%t" .i}}',
    { i: 7, f: 2.5, b: true },
  ],
  [
    '{{printf "%d %d" (len .l) (index .s 0)}}|{{printf "%c" (index .s 0)}}|{{printf "%#v" (index .s 0)}}',
    { l: [1], s: "A" },
  ],
  ['{{printf "%#v" .m}}|{{printf "%#v" .l}}', { m: { a: 1, b: [true, null, "s"] }, l: [] }],
  ["{{eq (index .s 0) 65}} {{lt (index .s 0) 66}}", { s: "A" }],
  ["{{len .n}} {{index .n 0}} {{slice .n 1}}", { n: 123 }],
  ["{{ .a }}{{ . }}", { a: "x" }],
  ['{{"<no value>"}}', {}],
  ["<no value>", {}],
  ["{{range .l}}[{{.}}]{{end}}", { l: [null, 1, "a", [2], { b: 3 }] }],
  ["{{range .l}}{{.x}}{{end}}", { l: [{ x: 1 }, {}, { x: null }] }],
  ["{{$}}", { a: 1 }],
  ["{{ $x := 1 }}{{ $x }}{{ $x := 2 }}{{ $x }}", {}],
  ["{{call .f}}", { f: 1 }],
  ["{{and}}", {}],
  ["{{.a | and .b}}|{{.a | or .b}}", { a: "A", b: "" }],
  ["{{not 1 2}}", {}],
  ["{{eq 1}}", {}],
  ["{{html .m}}|{{js .l}}|{{urlquery 1 2}}|{{html}}", { m: { a: "<" }, l: ["'"] }],
  ["{{if .a}}{{else}}{{end}}", {}],
  ["{{range .l}}{{range .}}{{.}}{{end}};{{end}}", { l: [[1, 2], [3]] }],
  ["{{with .a}}{{with .b}}{{$.top}}-{{.}}{{end}}{{end}}", { a: { b: "B" }, top: "T" }],
  ["{{.é}}|{{.a_b}}|{{.A1}}", { é: 1, a_b: 2, A1: 3 }],
  ["{{.a-b}}", { a: 1 }],
  ['{{index . "a-b"}}', { "a-b": 1 }],
  ['{{"a"|printf "%s%s" "b"}}', {}],
  ['{{("a")}}{{(1)}}{{(.a)}}', { a: 2 }],
  ["{{((1))}}", {}],
  ["{{1 2}}", {}],
  ['{{$x := 1 | printf "%d"}}{{$x}}', {}],
  ["{{$x, $y := .a}}", {}],
  ["{{range $x, $y, $z := .a}}{{end}}", { a: [1] }],
  ["{{range $x := .a}}{{$x}}{{end}}|{{range $x, := .a}}{{end}}", { a: [1] }],
  ['{{printf "%[2]d %[1]d %*d|%.*f" 1 2 4 7 2 3.14159}}', {}],
  ['{{printf "%v %v" 1e21 1e-7}}', {}],
  ["{{1e400}}", {}],
  ['{{.big}}|{{printf "%v" .big}}', { big: 12345678901234 }],
  ['{{- "a" }} \n\n {{- "b" -}} \n c', {}],
  ["x {{- /* c */}} y {{/* c */ -}} z", {}],
  ["{{/* c */ }}", {}],
  ["{{ /* c */ }}", {}],
  ["{{/* unclosed", {}],
  ['{{"unterminated}}', {}],
  ["{{`raw\nmulti\rline`}}", {}],
  ["{{.a.b}}", { a: null }],
  ["{{ .a.b }}", { a: [1] }],
  ["{{with .a}}{{.}}{{end}}", { a: 0 }],
  ["{{with .a}}{{.}}{{end}}", { a: false }],
  ["{{range .s}}{{.}}{{end}}", { s: "abc" }],
  ["{{range .n}}{{.}}{{end}}", { n: 3 }],
  ["{{index .m 1}}", { m: { "1": "x" } }],
  ['{{index .l "0"}}', { l: ["x"] }],
  ["{{index .l .i}}", { l: ["x"], i: 0 }],
  ["{{index .l (len .m)}}", { l: ["x", "y"], m: { k: 1 } }],
  ["{{index .l -1}}", { l: ["x"] }],
  ["{{slice .s 2 1}}", { s: "abc" }],
  ["{{slice .s 1 2 3}}", { s: "abc" }],
  ["{{slice .l 1 2 3}}", { l: [1, 2, 3] }],
  ["{{slice .l 0 2 1}}", { l: [1, 2, 3] }],
  ["{{len nil}}", {}],
  ["{{index nil 1}}", {}],
  ["{{lt nil 1}}", {}],
  ["{{lt true false}}", {}],
  ["{{eq true true}} {{eq .b true}} {{eq 1.5 1.5}} {{eq 'a' 97}}", { b: false }],
  ["{{eq .m .m}}", { m: {} }],
  ["{{eq .m .l}}", { m: {}, l: [] }],
  ["{{eq .m .missing}} {{eq .missing .m}}", { m: {} }],
  ["{{eq .x 1}}", {}],
  ["{{if not .a}}x{{end}}{{ne .a .b}}", { a: "s", b: "t" }],
  ["a {{- .x -}} b", { x: 1 }],
  ["a {{-.x}} b", { x: 1 }],
  ["a {{.x-}} b", { x: 1 }],
  ["a {{.x -}}b", { x: 1 }],
  ["a{{- .x}}", { x: 1 }],
  ["{{.x -}}\n\n  b", { x: 1 }],
  ["a\t\n {{- /* x */ -}} \t\nb", {}],
  ["{{- -}}", {}],
  ["{{-  .x  -}}", { x: 1 }],
  ["{{-\n.x\n-}}", { x: 1 }],
  ["{{ .x }}{{- }}", { x: 1 }],
  ["{{.x}}}}", { x: 1 }],
  ["{{{.x}}", { x: 1 }],
  ["{ {{.x}} }", { x: 1 }],
  ['{{"}}"}}', {}],
  ["{{`}}`}}", {}],
  ["{{'}'}}", {}],
  ['{{ printf "%s" `a"b` }}', {}],
  ['{{.x|printf "%v"|printf "[%s]"}}', { x: 1 }],
  ["{{.x | .y}}", { x: 1, y: 2 }],
  ['{{$x := 5}}{{$x | printf "%d"}}', {}],
  ["{{$ := 5}}", {}],
  ["{{$.x}}", { x: "X" }],
  ["{{range .}}{{.}}{{end}}", { b: 2, a: 1 }],
  ["{{range $k, $v := .}}{{$k}}{{end}}", { b: 2, a: 1, B: 3, _: 4, "1": 5 }],
  ["{{.x.y.z}}", { x: { y: null } }],
  ["{{with .x}}{{.y}}{{end}}", { x: { y: [1, 2] } }],
  ['{{printf "%v|%s|%d" .l .l .l}}', { l: ["a", 1, true, null, { k: "v" }] }],
  ['{{printf "%q" .l}}|{{printf "%x" .m}}|{{printf "%5.1f" .l}}', { l: ["a", 1.5], m: { k: "v" } }],
  ['{{printf "%08.3f|%+.1e|%x|%X|% d" 3.14159 12345.678 -255 255 5}}', {}],
  ['{{printf "%c|%q|%U|%#U" 0x1F600 0x1F600 0x1F600 0x1F600}}', {}],
  ['{{printf "%s" .e}}|{{printf "%10s|%-10s|%.2s" "héllo" "héllo" "héllo"}}', { e: "" }],
  ['{{printf "%t %v" true false}}', {}],
  ['{{print true false 1 "s" 2.5 nil}}', {}],
  ["{{println}}|{{print}}", {}],
  ['{{js "\\u2028\\u0001\\u007f"}}|{{html "\\u0000"}}', {}],
  ['{{urlquery "~!*()\'"}}', {}],
  ['{{js 1 2}}|{{html 1 "a" 2}}', {}],
  ['{{printf "%v" 1.0}} {{printf "%v" 100000000.0}} {{printf "%v" 1e6}} {{printf "%g" 1e-5}}', {}],
  ["{{1.5e3}} {{1e-3}} {{2.50}} {{0.1}}", {}],
  ['{{printf "%d" 1e3}}', {}],
  ["{{printf \"%d\" 'x'}}", {}],
  ['{{printf "%s" 0x41}}', {}],
  ["{{le 1 1.0}}", {}],
  ["{{eq 1 1.0}}", {}],
  ["{{eq .a .b}}", { a: "x", b: 1 }],
  ["{{lt .a .b}}", { a: 2, b: 10 }],
  ['{{lt .a "10"}}', { a: 2 }],
  ['{{ge .s "é"}}', { s: "z" }],
  ["{{len (slice .l 1)}}", { l: [1, 2, 3] }],
  ["{{index (slice .l 1) 0}}", { l: [1, 2, 3] }],
  ['{{range $i, $c := "ab"}}{{end}}', {}],
  ['{{template "a" 1}}{{define "a"}}{{template "b" .}}{{end}}{{define "b"}}<{{.}}>{{end}}', {}],
  ['{{define "a"}}A{{end}}{{define "a"}}B{{end}}', {}],
  ['{{define "a"}}A{{end}}{{define "a"}}   {{end}}{{template "a"}}', {}],
  ['{{define "a"}}  {{end}}{{define "a"}}B{{end}}{{template "a"}}', {}],
  ['{{block "a" .}}A{{end}}{{define "a"}}B{{end}}', {}],
  ['{{define "a"}}B{{end}}{{block "a" .}}A{{end}}', {}],
  ['{{template "a"}}{{define "a"}}{{.}}{{end}}', {}],
  ['{{define "a"}}{{$}}{{end}}{{$x := 1}}{{template "a" 2}}', {}],
  ['{{define "a"}}{{$x}}{{end}}{{$x := 1}}{{template "a" 2}}', {}],
  ["{{define 1}}{{end}}", {}],
  ['{{define "a" 1}}{{end}}', {}],
  ['{{if true}}{{define "a"}}{{end}}{{end}}', {}],
  ["{{template .x}}", { x: "a" }],
  ["{{with 1}}{{else}}{{else}}{{end}}", {}],
  ["{{if 1}}{{else if}}{{end}}", {}],
  ["{{range .l}}{{else}}{{break}}{{end}}", { l: [] }],
  ['{{range .l}}{{block "x" .}}{{break}}{{end}}{{end}}', { l: [1] }],
  ["{{range .l}}{{if true}}{{break}}{{end}}{{end}}x", { l: [1] }],
  ["{{range .l}}{{with .}}{{continue}}{{end}}{{.}}{{end}}x", { l: [1, 2] }],
  ["{{range .l}}{{range .}}{{break}}{{end}}{{.}}{{end}}", { l: [[1], [2]] }],
  ["{{ break }}", {}],
  ["{{break 1}}", {}],
  ["{{range .l}}{{break 1}}{{end}}", { l: [1] }],
  ["{{.true}}", { true: 1 }],
  ["{{true}}{{false}}", {}],
  ["{{true.x}}", {}],
  ["{{.x.1}}", { x: { "1": 1 } }],
  ["{{$x := .a}}{{$x.b}}", { a: { b: "B" } }],
  ["{{$x := .a}}{{$x.b}}", { a: null }],
  ["{{$x := .missing}}{{$x.b}}", {}],
  ["{{(.a).b}}", { a: { b: "B" } }],
  ["{{(.a).b}}", {}],
  ["{{(index .l 0).b.c}}", { l: [{ b: { c: "C" } }] }],
  ["{{len.x}}", {}],
  ["{{and .a .b | not}}", { a: 1, b: 0 }],
  ['{{if and (eq .a "x") (ne .b "y")}}ok{{end}}', { a: "x", b: "z" }],
  ["{{or .a .b}}", { a: null, b: null }],
  ["{{and .a (index .a 5)}}", { a: "" }],
  ["{{or .a (index .a 5)}}", { a: "x" }],
  ["{{with $x := .a}}{{$x}}{{else with $y := .b}}{{$y}}{{end}}", { b: "B" }],
  ["{{with .a}}A{{else with .b}}B{{else}}C{{end}}", {}],
  ["{{if .a}}A{{else if .b}}B{{else if .c}}C{{end}}", { c: 1 }],
  ["{{print .m}}", { m: { z: { y: [1, { x: null }] } } }],
  ["{{html .missing}}|{{print .missing}}|{{js .missing}}|{{urlquery .missing .missing}}", {}],
  ["{{.n.x}}", { n: null }],
  ["{{.m.x}}", {}],
  ['{{print .a .b}}|{{print 1 2}}|{{print "a" 1 2 "b"}}', { a: 1, b: 2 }],
  ['{{printf "%d|%v|%s|%+v|%T|%T|%T" .a .a .a 5 .a .l .m}}', { a: 1, l: [1], m: { a: 1 } }],
  [
    '{{printf "%d" .l}}|{{printf "%5v" .m}}|{{printf "%x" .l}}',
    { l: [1, "x", null, true], m: { a: 1, b: null } },
  ],
  ['{{eq .a "1"}}', { a: 1 }],
  ["{{eq .a 1}}", { a: 1 }],
  ["{{range $i, $v := .l}}{{$i}}={{$v}};{{end}}", { l: [null, 1] }],
  ["{{range .l}}{{.x}}{{end}}", { l: [null] }],
  ['<no value>{{printf "%v" nil}}', {}],
  ['{{printf "%+v %+d %#v %#v" 5 5 "a" 1.0}}', {}],
  ["{{1e3}} {{0x10}} {{'a'}} {{1.0}} {{-0}} {{0_1}}", {}],
  ["{{range 3}}{{.}}{{end}}", {}],
];

describe("strings.render_template agrees with opa eval (topdown)", () => {
  const want = opaRenders(CASES);
  it.each(CASES.map(([template, variables], i) => [i, template, variables] as const))(
    "case %i: %s",
    (i, template, variables) => {
      expect(render(template, variables)).toBe(want[String(i)]);
    },
  );
});

describe("strings.render_template refusals and bounds", () => {
  it.each([
    // Go renders these; they are refused (undefined), never rendered differently.
    ["{{1i}}", {}],
    ["{{0x1p4}}", {}],
    ["{{slice .s 1 2}}", { s: "héllo" }],
    ['{{"\\xff"}}', {}],
    ['{{printf "%x" 1.5}}', {}],
    ['{{printf "%p" .l}}', { l: [] }],
    ["{{.n}}", { n: Number.POSITIVE_INFINITY }],
  ])("%s is undefined", (template, variables) => {
    expect(render(template, variables)).toBeUndefined();
  });

  it("caps nesting, template depth and output", () => {
    const nested = (n: number) => `${"{{if 1}}".repeat(n)}x${"{{end}}".repeat(n)}`;
    expect(render(nested(MAX_NESTING), {})).toBe("x");
    expect(render(nested(MAX_NESTING + 1), {})).toBeUndefined();
    const recurse = '{{define "r"}}x{{with .c}}{{template "r" .}}{{end}}{{end}}{{template "r" .}}';
    const chain = (n: number) => {
      let data: unknown = {};
      for (let i = 0; i < n; i++) data = { c: data };
      return data;
    };
    // {{with .c}} is false on the innermost (empty) object: n levels make n calls.
    expect(render(recurse, chain(MAX_TEMPLATE_DEPTH))).toBe("x".repeat(MAX_TEMPLATE_DEPTH));
    expect(render(recurse, chain(MAX_TEMPLATE_DEPTH + 1))).toBeUndefined();
    expect(render('{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}', {})).toBeUndefined();
    const wide = "{{range .l}}{{range $.l}}xxxxxxxxxx{{end}}{{end}}";
    const side = Math.ceil(Math.sqrt(MAX_OUTPUT / 10));
    expect(render(wide, { l: Array(side).fill(1) })).toBeUndefined();
    expect(render(wide, { l: Array(side - 1).fill(1) })).toHaveLength(10 * (side - 1) ** 2);
  });

  it("refuses operands that are not a string and an object", () => {
    expect(render(1, {})).toBeUndefined();
    expect(render("x", [])).toBeUndefined();
    expect(render("x", null)).toBeUndefined();
  });
});

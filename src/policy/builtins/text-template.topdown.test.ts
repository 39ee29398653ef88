import { beforeAll, describe, expect, it } from "vitest";
import { type Call, ours, topdown } from "../../../test/support/topdown.js";

/**
 * strings.render_template against topdown (Go's text/template): each case names the rule of
 * lex.go, parse.go, exec.go or funcs.go it drives. An error in Go is an undefined result.
 */
const CASES: Array<[what: string, template: string, data: Record<string, unknown>]> = [
  // exec.go walkRange: `range $i, $e = …` assigns variables declared outside.
  [
    "range assigning both variables",
    "{{$i := 9}}{{$e := 0}}{{range $i, $e = .l}}{{$i}}={{$e}};{{end}}{{$i}} {{$e}}",
    { l: ["a", "b"] },
  ],
  [
    "range assigning the element only",
    "{{$e := 0}}{{range $e = .l}}[{{$e}}]{{end}}{{$e}}",
    { l: [1, 2] },
  ],
  [
    "a map or a list is true when it is not empty",
    "{{if .m}}m{{end}}{{if .e}}e{{end}}{{if .l}}l{{end}}{{if .k}}k{{end}}",
    { m: { a: 1 }, e: {}, l: [0], k: [] },
  ],
  ["range over a missing value runs the else", "{{range .x}}y{{else}}none{{end}}", {}],
  [
    "range over a map with a null value",
    "{{range $k, $v := .m}}{{$k}}:{{$v}};{{end}}",
    { m: { a: null, b: 1 } },
  ],
  ["range over an int", "{{range 3}}{{.}}{{end}}", {}],
  ["range over an int with two variables", "{{range $i, $e := 3}}{{$i}}{{end}}", {}],
  ["range over a string", "{{range .s}}x{{end}}", { s: "ab" }],
  // evalArg: each kind of argument.
  ["nil where printf wants its format string", "{{printf nil}}", {}],
  ["nil as a printf argument", '{{printf "%v" nil}}', {}],
  [
    "variables and field chains of variables as arguments",
    '{{$x := .a}}{{printf "%v-%v" $x $.a}} {{len $x}} {{$m := .m}}{{printf "%v" $m.k}}',
    { a: "xyz", m: { k: "v" } },
  ],
  [
    "a field chain on a parenthesized pipeline as an argument",
    '{{printf "%v" (index .l 0).name}} {{len (index .l 0).name}}',
    { l: [{ name: "first" }] },
  ],
  ["a field of a parenthesized non-map fails", '{{printf "%v" (index .l 0).name}}', { l: [1] }],
  ["a string argument where a string is wanted", '{{printf "%s" "x"}}', {}],
  ["a non-string where printf wants its format", "{{printf 1}}", {}],
  // funcs.go: comparisons.
  ["gt and le when lt is false", "{{gt 2 1}} {{gt 1 1}} {{le 2 1}} {{le 1 1}}", {}],
  ["eq of maps: not comparable", "{{eq .m .m}}", { m: { a: 1 } }],
  ["eq of a map and a slice", "{{eq .m .l}}", { m: { a: 1 }, l: [1] }],
  ["eq of a map and nil", "{{eq .m nil}} {{eq .missing .m}}", { m: { a: 1 } }],
  ["eq of a map and a number", "{{eq .m 1}}", { m: { a: 1 } }],
  // funcs.go: index and slice.
  ["index through a null", '{{index .m "a" "b"}}', { m: { a: null } }],
  ["index of a missing key is no value", '{{index .m "zz"}}', { m: {} }],
  ["index through a missing key", '{{index .m "zz" "y"}}', { m: {} }],
  ["index one past a list", "{{index .l 3}}", { l: [1, 2, 3] }],
  ["index one past a string", '{{index "abc" 3}}', {}],
  ["index of a byte of a string", '{{index "abc" 1}} {{index .n 0}}', { n: 12 }],
  ["index of a number", "{{index 1 0}}", {}],
  ["index of a bool", "{{index true 0}}", {}],
  ["index of a list by a string", '{{index .l "a"}}', { l: [1] }],
  ["index of a map by a number", "{{index .m 1}}", { m: { a: 1 } }],
  ["index of a list by a negative number", "{{index .l -1}}", { l: [1] }],
  ["index of nothing", "{{index .missing 1}}", {}],
  ["slice of a missing value", "{{slice .missing}}", {}],
  ["slice with four indexes", "{{slice .l 0 1 1 1}}", { l: [1, 2] }],
  ["slice of a number", "{{slice 1}}", {}],
  ["slice of a map", "{{slice .m}}", { m: {} }],
  ["slice of a string with three indexes", '{{slice "abc" 0 1 2}}', {}],
  [
    "slices that are fine",
    '{{slice .l 1}} {{slice .l 0 1}} {{slice .l 0 1 2}} {{slice "héllo" 1 3}}',
    { l: [1, 2, 3] },
  ],
  ["slice with j past k", "{{slice .l 0 2 1}}", { l: [1, 2, 3] }],
  // lex.go: errors inside an action.
  ["an unclosed left paren", "{{(1}}", {}],
  ["':' without '='", "{{$x :1}}", {}],
  ["a right paren too many", "{{1)}}", {}],
  ["a character that cannot start a token", "{{€}}", {}],
  ["a control character in an action", "{{\u0007}}", {}],
  ["a raw string without its closing quote", "{{`abc}}", {}],
  ["a raw string", "{{`a\\b`}}", {}],
  ["a number followed by a sign but not complex", "{{1+2}}", {}],
  // (A complex constant that is executed is not provided: Go prints (1+2i), ours is undefined.)
  ["a complex constant parsed but never executed", "{{if false}}{{1+2i}}{{1-2i}}{{end}}x", {}],
  ["a left trim marker that ends the input", "x{{-", {}],
  ["a left delimiter that ends the input", "x{{", {}],
  ["trim markers with two spaces", "a  {{-  1  -}}  b", {}],
  // parse/node.go: number literals as strconv reads them.
  [
    "underscores in integers",
    "{{0x_1F}} {{0b1_0}} {{0o1_7}} {{0_7}} {{-1_0}} {{0xa_b}} {{1_000}}",
    {},
  ],
  ["two underscores", "{{1__0}}", {}],
  ["an underscore after a base prefix and another", "{{0x__1}}", {}],
  ["an underscore before a point", "{{1_.5}}", {}],
  ["underscores in a float", "{{1_000.5}} {{1_0e1_0}}", {}],
  ["an underscore at the end", "{{10_}}", {}],
  ["a float that overflows", "{{1e400}}", {}],
  ["an integer past uint64", "{{18446744073709551616}}", {}],
  ["an integer past int64", "{{9223372036854775808}}", {}],
  // strconv.UnquoteChar
  ["an empty character constant", "{{''}}", {}],
  ["character constants", "{{'\"'}} {{'\\''}} {{'\\x41'}} {{'\\101'}} {{'\\u263A'}} {{'é'}}", {}],
  ["a character constant of two characters", "{{'ab'}}", {}],
  ["a short hex escape", '{{"\\x4"}}', {}],
  ["a hex escape that is not hex", '{{"\\xZZ"}}', {}],
  ["a surrogate escape", '{{"\\ud800"}}', {}],
  ["an escape past U+10FFFF", '{{"\\U00110000"}}', {}],
  ["an octal escape past 255", '{{"\\400"}}', {}],
  ["an unknown escape", '{{"\\q"}}', {}],
  ["escapes that are fine", '{{"\\a\\b\\f\\n\\r\\t\\v\\\\\\"\\101\\x41\\u00e9\\U0001F600"}}', {}],
  // parse.go: clause errors.
  ["else in a define", '{{define "T"}}a{{else}}b{{end}}', {}],
  ["else in a block", '{{block "B" .}}a{{else}}b{{end}}', {}],
  ["an if without its end", "{{if true}}x", {}],
  ["a range without its end", "{{range .l}}x{{else}}y", { l: [] }],
  ["an end at the top level", "x{{end}}", {}],
  ["two non-empty definitions of one name", '{{define "T"}}a{{end}}{{define "T"}}b{{end}}', {}],
  [
    "an empty definition does not replace one",
    '{{define "T"}}a{{end}}{{define "T"}} {{end}}{{template "T"}}',
    {},
  ],
  ["a definition named 'template' that is the output", '{{define "template"}}x{{end}}', {}],
  ["a define named by a number", "{{define 1}}x{{end}}", {}],
  ["a pipe at the end of an action", "{{1 |}}", {}],
  ["a pipe into nothing", "{{| 1}}", {}],
  [
    "a variable declared in a range used after it",
    "{{range .l}}{{$y := 1}}{{end}}{{$y}}",
    { l: [1] },
  ],
  ["a template call of an undefined template", '{{template "nope"}}', {}],
  ["call is not provided: nothing here is a function", "{{call .f}}", { f: 1 }],
];

const CALLS: Call[] = CASES.map(([, template, data]) => [
  "strings.render_template",
  [template, data],
]);
let want: unknown[];
beforeAll(() => {
  want = topdown(CALLS);
});

describe("strings.render_template gives what topdown gives", () => {
  it.each(CASES.map(([what, template], i) => [what, template, i] as const))(
    "%s: %s",
    (_w, _t, i) => {
      expect(ours(CALLS[i] as Call)).toEqual(want[i]);
    },
  );
});

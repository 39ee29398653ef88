import { describe, expect, it } from "vitest";
import { createContextSource } from "./context.js";
import { dataBuiltins } from "./data.js";

const context = createContextSource({ nowNs: () => 0n, print: () => {} }).current;

/** What the policy sees: a thrown builtin error is undefined, raw JSON text is parsed. */
function call(name: string, args: unknown[]): unknown {
  const builtin = dataBuiltins[name];
  if (!builtin) throw new Error(`no builtin ${name}`);
  let result: unknown;
  try {
    result = builtin(context, ...args);
  } catch {
    return undefined;
  }
  return result instanceof ArrayBuffer ? JSON.parse(new TextDecoder().decode(result)) : result;
}

// Each expected value is what `.tools/bin/opa eval -f json 'x := NAME(ARGS...)'` (OPA v1.19.1,
// topdown: sigs.k8s.io/yaml over go-yaml v2) binds to x; undefined where opa gives no binding.
// The opa-wasm SDK's own yaml.* (the JavaScript `yaml` package, YAML 1.2) differ on most rows.
const CASES: Record<string, Array<[unknown[], unknown]>> = {
  "yaml.unmarshal": [
    [
      [
        "a: yes\nb: on\nc: 012\nd: 0x1F\ne: 1_000\nf: 0o17\ng: ~\nh: 1:30\ni: 2001-12-14\nj: 0b101\nk: 1e400\nl: .5\nm: Off",
      ],
      {
        a: true,
        b: true,
        c: 10,
        d: 31,
        e: 1000,
        f: 15,
        g: null,
        h: "1:30",
        i: "2001-12-14",
        j: 5,
        k: "1e400",
        l: 0.5,
        m: false,
      },
    ],
    [["a: 1\na: 2"], { a: 2 }],
    [["a: 1\n---\n["], { a: 1 }],
    [
      [".nan: 1\n.inf: 2\n1.5: 3\n1e7: 4\n3.14159265358979: 5\n0x10: 6\nyes: 7\nn: 8"],
      { "16": 6, ".inf": 2, ".nan": 1, "1.5": 3, "1e+07": 4, "3.1415927": 5, false: 8, true: 7 },
    ],
    [
      [
        "a: &x {k: 1, j: 2}\nb:\n  <<: *x\n  j: 3\nc:\n  k: 0\n  <<: [*x, {z: 1}]\nd:\n  <<: [{k: 1}, {k: 2}]",
      ],
      { a: { j: 2, k: 1 }, b: { j: 3, k: 1 }, c: { j: 2, k: 1, z: 1 }, d: { k: 1 } },
    ],
    [
      [
        "a: !!float 1\nb: !!str 1\nc: !!bool yes\nd: !!null ''\ne: !!timestamp 2001-01-01\nf: !foo 12\ng: !!binary aGk=",
      ],
      { a: 1, b: "1", c: true, d: null, e: "2001-01-01", f: "12", g: "hi" },
    ],
    [["'<<': 1\n!!merge <<: {a: 2}"], { "<<": 1, a: 2 }],
    [["a: b\rc: d\r\ne: f\u0085g: h"], { a: "b", c: "d", e: "f", g: "h" }],
    [["%YAML 1.1\n%TAG ! tag:x,2000:\n---\na: !b 1"], { a: "1" }],
    [['a: "\\x41\\u263A\\U0001F600\\N"'], { a: "A☺😀\u0085" }],
    [[""], null],
    [["a: .nan"], undefined],
    [["~: 1"], undefined],
    [["18446744073709551615: 1"], undefined],
    [["? [1]\n: 2"], undefined],
    [["a: !!int x"], undefined],
    [["a: !!binary '!!!'"], undefined],
    [["a:\n  <<: 1"], undefined],
    [["a: &x [*x]"], undefined],
    [["*x"], undefined],
    [['"\\/"'], undefined],
    [['"\\ud83d\\ude00"'], undefined],
    [["%YAML 1.2\n---\na: 1"], undefined],
    [["%FOO bar\n---\na: 1"], undefined],
    [["%YAML 1.1"], undefined],
    [["a: \u007f"], undefined],
    [["- \tx"], undefined],
    [["a:\n\t\n  b: 1"], undefined],
    [["a: \tb\nc: |\n  \tliteral"], undefined],
    [[1], undefined],
  ],
  "yaml.is_valid": [
    [[1], false],
    [[["a"]], false],
    [["a: 1\na: 2"], true],
    [["a: 1\n...\nb: ["], true],
    [["[a, b]: c"], false],
    [["a: .inf"], false],
    [["\t a: 1"], false],
    [["# \u0001"], false],
    [["a: b: c"], false],
  ],
  "yaml.marshal": [
    [
      [
        {
          b: [1, { c: "d" }],
          a: "yes",
          e: "",
          f: null,
          g: 1.5,
          h: "1",
          i: "multi\nline",
          j: true,
          k: [],
          l: {},
        },
      ],
      'a: "yes"\nb:\n- 1\n- c: d\ne: ""\nf: null\ng: 1.5\nh: "1"\ni: |-\n  multi\n  line\nj: true\nk: []\nl: {}\n',
    ],
    [
      [
        {
          "1": 7,
          "9": 9,
          "10": 8,
          a10: 1,
          a2: 2,
          a1: 3,
          B: 4,
          b: 5,
          _: 6,
          a01: 10,
          a001: 11,
          é: 12,
          "": 15,
        },
      ],
      '"": 15\n_: 6\n"1": 7\n"9": 9\n"10": 8\nB: 4\na1: 3\na01: 10\na001: 11\na2: 2\na10: 1\nb: 5\né: 12\n',
    ],
    [[{ a: { b: { c: [[1, 2], [3]] } } }], "a:\n  b:\n    c:\n    - - 1\n      - 2\n    - - 3\n"],
    [
      [
        {
          k: "a: b",
          l: "- x",
          m: " lead",
          n: "#",
          o: "null",
          p: "0x1",
          q: "on",
          r: "é",
          s: "2001-12-14",
          t: "1:30",
          u: "<<",
          v: "a #b",
        },
      ],
      'k: \'a: b\'\nl: \'- x\'\nm: \' lead\'\n"n": \'#\'\no: "null"\np: "0x1"\nq: "on"\nr: é\ns: "2001-12-14"\nt: "1:30"\nu: <<\nv: \'a #b\'\n',
    ],
    [
      [[1.5, 0.1, 100000000000000000000, 1e21, 1e-7, 0.0001, 0.00001, 1234567.5, 3]],
      "- 1.5\n- 0.1\n- 1e+20\n- 1e+21\n- 1e-07\n- 0.0001\n- 1e-05\n- 1.2345675e+06\n- 3\n",
    ],
    [
      [
        {
          t: "tab\there",
          e: "emoji 😀",
          nel: "a\u0085b",
          bom: "\ufeffx",
          ctl: "\u0001",
          nbsp: "a\u00a0b",
        },
      ],
      'bom: "\\uFEFF\\x78"\nctl: "\\x01"\ne: "emoji \\U0001F600"\nnbsp: a\u00a0b\nnel: a b\nt: "tab\\there"\n',
    ],
    [
      [{ lit: "first line\n  indented\n", keep: "a\n\n", trail: "a \nb", lead: " a\nb" }],
      'keep: |+\n  a\n\nlead: |2-\n   a\n  b\nlit: |\n  first line\n    indented\ntrail: "a \\nb"\n',
    ],
    [
      [
        {
          long: "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore",
          quoted:
            "#lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore",
        },
      ],
      "long: lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor\n  incididunt ut labore\nquoted: '#lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor\n  incididunt ut labore'\n",
    ],
    [
      [
        {
          kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: 1,
          "multi\nkey": 2,
        },
      ],
      "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: 1\n? |-\n  multi\n  key\n: 2\n",
    ],
    [["plain root"], "plain root\n"],
    [["multi\nroot"], "|-\n  multi\n  root\n"],
    [[{ del: "\u007f" }], undefined],
  ],
};

describe("yaml builtins agree with topdown", () => {
  for (const [name, rows] of Object.entries(CASES))
    it.each(rows)(`${name}(%j) is %j`, (args, expected) => {
      expect(call(name, args)).toEqual(expected);
    });
});

describe("yaml.unmarshal beyond what a JSON comparison shows", () => {
  it("keeps every digit of int64 and uint64 numbers (raw JSON text to the wasm)", () => {
    const raw = dataBuiltins["yaml.unmarshal"]?.(
      context,
      "a: 18446744073709551615\nb: -0x8000000000000000",
    );
    expect(new TextDecoder().decode(raw as ArrayBuffer)).toBe(
      '{"a":18446744073709551615,"b":-9223372036854775808}',
    );
  });

  it("stops an alias bomb as go-yaml does, not by running out of memory", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++)
      lines.push(
        `${"abcdefghi"[i]}: &${"abcdefghi"[i]} [${Array(10)
          .fill(`*${"abcdefghi"[i - 1]}`)
          .join(", ")}]`,
      );
    expect(call("yaml.unmarshal", [lines.join("\n")])).toBeUndefined();
  });

  it("is undefined, not false, for text it does not read as go-yaml does", () => {
    // A raw U+2028 is a line break to libyaml but kept in its scalars: not followed here.
    expect(call("yaml.is_valid", ["a: b\u2028c"])).toBeUndefined();
    expect(call("yaml.is_valid", ["|\nroot block scalar from column 0"])).toBeUndefined();
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { type Call, ours, topdown } from "../../../test/support/topdown.js";

/**
 * yaml.unmarshal, yaml.is_valid and yaml.marshal against topdown (sigs.k8s.io/yaml over go-yaml
 * v2): each case names the go-yaml (resolve.go, decode.go, emitterc.go) or libyaml rule it drives.
 */
/** A sequence: a 1,000-node anchored list, `padding` plain items, then `aliases` aliases of it. */
function aliasBomb(aliases: number, padding = 0): string {
  const list = `- &a [${Array(999).fill("x").join(", ")}]\n`;
  return list + "- y\n".repeat(padding) + "- *a\n".repeat(aliases);
}

/** A 999-key anchored mapping, then `merges` flow mappings merging it in. */
function mergeBomb(merges: number): string {
  const keys = Array.from({ length: 999 }, (_, i) => `k${i}: 1`).join(", ");
  return `- &a {${keys}}\n${"- {<<: *a}\n".repeat(merges)}`;
}

const CASES: Array<[what: string, call: Call]> = [
  // resolve: a plain scalar's meaning under YAML 1.1.
  [
    "a plain scalar from '.' that is no float, or overflows, is a string",
    ["yaml.unmarshal", ["a: .abc\nb: .5e999\nc: .5E3\nd: ."]],
  ],
  [
    "sign, digit and underscore forms: octal, hex, binary, a float from a bad octal",
    ["yaml.unmarshal", ["a: -012\nb: +0x_1F\nc: -0b11\nd: 08\ne: 1__0\nf: -\ng: +1.5e+3"]],
  ],
  [
    "int64 and uint64 limits: past uint64, or negative past int64, is a float",
    [
      "yaml.unmarshal",
      ["a: 18446744073709551616\nb: -9223372036854775809\nc: 9223372036854775808"],
    ],
  ],
  // resolve + parseTimestamp: go-yaml's time.Parse layouts with Go's range checks. A timestamp
  // decodes to its text, so an explicit !!timestamp (refused when the text is none) shows which.
  ...[
    "2000-02-29",
    "2004-02-29",
    "1900-02-29",
    "2001-02-29",
    "2001-13-01",
    "2001-00-01",
    "2001-04-31",
    "2001-01-00",
    "2001-1-2",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14T21:59:43Z",
    "2001-12-14 21:59:43.10",
    "2001-12-14T21:59:43",
    "2001-12-14 21:59:43Z",
    "2001-12-14 24:00:00",
    "2001-12-14 23:60:00",
    "2001-12-14 23:59:60",
    "12",
  ].map((text): [string, Call] => [
    `an explicit !!timestamp takes ${text} only if time.Parse does`,
    ["yaml.unmarshal", [`a: !!timestamp ${text}`]],
  ]),
  [
    "a plain timestamp is quoted by marshal (it would read back as one), a non-date is not",
    [
      "yaml.marshal",
      [
        [
          "2000-02-29",
          "1900-02-29",
          "2001-04-31",
          "2001-13-01",
          "2001-12-14 21:59:43.10",
          "2001-12-14 21:59:43Z",
          "2001-12-14 23:59:60",
        ],
      ],
    ],
  ],
  [
    "explicit tags that do not fit: !!float of an int is a float, !!bool of a word, !!null",
    ["yaml.unmarshal", ["a: !!float 0x10\nb: !!bool off\nc: !!null ~\nd: !!str yes"]],
  ],
  ["!!int of a float is refused", ["yaml.unmarshal", ["a: !!int 1.5"]]],
  ["!!bool of a number is refused", ["yaml.unmarshal", ["a: !!bool 1"]]],
  // sigs.k8s.io/yaml: float keys as strconv.FormatFloat(key, 'g', -1, 32).
  [
    "float keys: infinities (float32 overflow too), zeros, negatives, integral ones",
    [
      "yaml.unmarshal",
      [
        "-.inf: 1\n1e39: 2\n0.0: 4\n-1.5: 6\n100.0: 7\n1e5: 8\n0.00001: 9\n1.5e-7: 10\n16777217.0: 11",
      ],
    ],
  ],
  ["a float key overflowing float32 downwards", ["yaml.unmarshal", ["-1e39: 3"]]],
  // (A float key colliding with another key's text, as .inf and 1e39 do, is not compared:
  // sigs.k8s.io/yaml fills its string map in Go's random map order, so either may win.)
  ["0.0 and -0.0 are one Go map key: the last sign stays", ["yaml.unmarshal", ["0.0: 4\n-0.0: 5"]]],
  ["the same the other way round", ["yaml.unmarshal", ["-0.0: 5\nb: 1\n0.0: 4"]]],
  [
    "a merged -0.0 key takes the place of a 0.0 one",
    ["yaml.unmarshal", ["x: &x {-0.0: 1}\nm:\n  0.0: 2\n  <<: *x"]],
  ],
  ["a negative integer key", ["yaml.unmarshal", ["-12: 1\n0o17: 2"]]],
  ["a NaN key is .nan, a NaN value is refused by JSON", ["yaml.unmarshal", [".NaN: 1"]]],
  // decode.go
  [
    "an explicit key without a value and a flow mapping entry without one are null",
    ["yaml.unmarshal", ["? a\nb: {c, d: 1}"]],
  ],
  [
    "block scalars: literal and folded keep their final break, one that ends the input not",
    [
      "yaml.unmarshal",
      ["a: |\n  x\n  y\nb: >\n  x\n  y\n\nc: |-\n  z\nd: |+\n  k\n\ne: >\n  last"],
    ],
  ],
  ["a literal block scalar at the end of the input", ["yaml.unmarshal", ["a: |\n  x"]]],
  ["a tab inside a block scalar's text is content", ["yaml.unmarshal", ["a: |\n  x\n  \ty\n"]]],
  ["merge: a sequence holding a scalar is refused", ["yaml.unmarshal", ["a:\n  <<: [{b: 1}, 1]"]]],
  ["merge: an alias of a scalar is refused", ["yaml.unmarshal", ["x: &x 1\na:\n  <<: *x"]]],
  [
    "merge: an alias of a scalar in a sequence is refused",
    ["yaml.unmarshal", ["x: &x [1]\na:\n  <<: [*x]"]],
  ],
  [
    "merge: aliases of mappings in a sequence, earlier ones winning",
    ["yaml.unmarshal", ["x: &x {a: 1, b: 1}\ny: &y {b: 2, c: 2}\nm:\n  <<: [*x, *y]\n  c: 3"]],
  ],
  ["a document of only a comment is null", ["yaml.unmarshal", ["# nothing"]]],
  // decode.go's alias limit: aliased decodes / all decodes (the document node is one, an alias
  // another, its target a third) may not pass allowedAliasRatio once past 100 and 1,000.
  [
    "110 aliases of a 1,000-node list: 110,000 of 111,112 decodes, just under 0.99",
    ["yaml.is_valid", [aliasBomb(110)]],
  ],
  ["111 aliases: over 0.99", ["yaml.is_valid", [aliasBomb(111)]]],
  [
    "109 merges of a 999-key mapping: each alias and its mapping count",
    ["yaml.is_valid", [mergeBomb(109)]],
  ],
  ["110 merges: over 0.99", ["yaml.is_valid", [mergeBomb(110)]]],
  [
    "past 400,000 decodes the ratio allowed falls: 420 aliases after 6,000 plain items pass",
    ["yaml.is_valid", [aliasBomb(420, 6000)]],
  ],
  ["420 aliases after 5,500 plain items do not", ["yaml.is_valid", [aliasBomb(420, 5500)]]],
  // libyaml's scanner (data-yaml-syntax.ts)
  ["a directive, then a document with no '---'", ["yaml.is_valid", ["%YAML 1.1\na: 1"]]],
  ["a duplicate %YAML directive", ["yaml.is_valid", ["%YAML 1.1\n%YAML 1.1\n---\na: 1"]]],
  [
    "double-quoted text around and between escapes",
    ["yaml.unmarshal", ['a: "x\\ty\\\\z \\"q\\" end"']],
  ],
  ["a flow scalar starting with ':' is a value indicator to libyaml", ["yaml.is_valid", ["[:x]"]]],
  ["the same in a flow mapping", ["yaml.is_valid", ["{a: :x}"]]],
  ["':' inside a flow scalar is text", ["yaml.unmarshal", ["[a:x, b]"]]],
  ["a tab at the start of the line after a block scalar", ["yaml.is_valid", ["a: |\n  x\n\tb: 1"]]],
  ["a tab before the block scalar's indentation column", ["yaml.is_valid", ["a: |\n  x\n \ty"]]],
  ["an anchor name libyaml does not scan", ["yaml.unmarshal", ["a: &x.y 1\nb: *x.y"]]],
  [
    "anchors and aliases with every allowed character",
    ["yaml.unmarshal", ["a: &A_z-9 1\nb: *A_z-9"]],
  ],
  // encode.go: which style go-yaml asks for.
  [
    "base-60 floats are quoted: with a fraction, an empty fraction; not when a group is over 59",
    [
      "yaml.marshal",
      [["1:30.5", "1:30.", "-1:30:15", "1:70", "a:30", "1:30.5x", "1_0:30", "1:30.5:10", "1:3_0"]],
    ],
  ],
  [
    "NEL read back: spaces around one break are one space, two breaks a line feed",
    ["yaml.marshal", [["x  y\u0085z", "a \u0085 b", "x\u0085\u0085y", "p\u0085 \u0085q"]]],
  ],
  [
    // (No a1b: with a01 and a10 it makes a cycle, a01 < a10 < a1b < a01, and Go sorts the keys
    // from its random map order, so topdown's own order for them varies.)
    "natural key order: zeros after a digit, equal runs of different length, other characters",
    [
      "yaml.marshal",
      [
        {
          a10: 1,
          a12: 2,
          a100: 3,
          a01: 5,
          a1: 6,
          "a-": 7,
          "a+": 8,
          "a.": 9,
          "-": 10,
          "+": 11,
          x20: 12,
          x200: 13,
          x02: 14,
          y0: 15,
          y00: 16,
          "1a": 17,
          ab: 18,
          "a b": 19,
        },
      ],
    ],
  ],
  [
    "natural key order with digit runs past int64 (Go's arithmetic wraps)",
    ["yaml.marshal", [{ a18446744073709551617: 1, a2: 2, b9223372036854775808: 3, b5: 4 }]],
  ],
  // emitterc.go: analyze_scalar, select_scalar_style and the writers.
  [
    "document markers and indicators keep a string from being plain",
    ["yaml.marshal", [["---", "...", "--- x", "... x", "? x", "?x", "-x", "a#b", "a:b", "a:"]]],
  ],
  [
    "single-quoted: an apostrophe doubles",
    ["yaml.marshal", [{ k: "it's: here", "it's: a key": 1 }]],
  ],
  [
    "a raw line separator is a break: single-quoted, or written as itself in a literal",
    ["yaml.marshal", [["a\u2028b", "a\u2028#b", "x\ny\u2029z", "p\u2029 q"]]],
  ],
  ["a key with a line separator is no simple key", ["yaml.marshal", [{ "a\u2028b": 1 }]]],
  [
    "double-quoted text past the width folds at a space, `\\` before a second space",
    [
      "yaml.marshal",
      [
        {
          t: "\tlorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore",
          u: "\tlorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor  incididunt  ut",
          v: "\tlorem-ipsum-dolor-sit-amet-consectetur-adipiscing-elit-sed-do-eiusmod-tempor-incididunt ",
        },
      ],
    ],
  ],
  [
    "empty collections nested and as keys' values",
    ["yaml.marshal", [{ a: [[], {}, [[]]], b: { c: {} } }]],
  ],
  [
    "numbers: integral floats, negatives, exponents",
    ["yaml.marshal", [[-1.5, 1e6, -0.5, 2e-5, 123456789]]],
  ],
];

let want: unknown[];
beforeAll(() => {
  want = topdown(CASES.map(([, call]) => call));
});

describe("yaml builtins give what topdown gives", () => {
  it.each(CASES.map(([what, call], i) => [what, call[0], i] as const))("%s (%s)", (_w, _n, i) => {
    expect(ours((CASES[i] as [string, Call])[1])).toEqual(want[i]);
  });
});

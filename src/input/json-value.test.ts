import { LosslessNumber } from "lossless-json";
import { describe, expect, it } from "vitest";
import { parseJson, stringifyJson } from "./json-value.js";

describe("stringifyJson", () => {
  it("writes plain documents as JSON.stringify does", () => {
    const document = { a: [1, "x", null, true], b: { 'quote"d': "\u0000" } };
    expect(stringifyJson(document)).toBe(JSON.stringify(document));
  });

  it("writes big and non-canonical numbers digit for digit", () => {
    const text = '{"id":12345678901234567890,"z":-0,"f":1.0,"n":[1e3,2]}';
    expect(stringifyJson(parseJson(text))).toBe(text);
  });

  it("tells a number from an object that imitates one", () => {
    const imitation = { isLosslessNumber: true, value: "1.0" };
    expect(stringifyJson({ n: new LosslessNumber("1.0") })).toBe('{"n":1.0}');
    expect(stringifyJson({ n: imitation })).toBe('{"n":{"isLosslessNumber":true,"value":"1.0"}}');
    expect(stringifyJson({ s: '"isLosslessNumber":true' })).toBe(
      JSON.stringify({ s: '"isLosslessNumber":true' }),
    );
  });
});

const LIMITS = { maxDepth: 4, maxValues: 10, maxStringLength: 8 };
const deep = (depth: number) => `${"[".repeat(depth)}1${"]".repeat(depth)}`;

describe("parseJson", () => {
  it.each([
    ["object", '{"a":[1,true,null],"b":{"c":"d"}}', { a: [1, true, null], b: { c: "d" } }],
    ["scalar", "42", 42],
    ["string with escapes", '"a\\"b\\u00e9"', 'a"bé'],
    ["escaped key", '{"k\\u0065y":1}', { key: 1 }],
    ["__proto__ as a plain key", '{"__proto__":{"x":1}}', JSON.parse('{"__proto__":{"x":1}}')],
  ])("parses %s as JSON.parse does", (_name, text, expected) => {
    expect(parseJson(text)).toEqual(expected);
  });

  it("keeps inexact numbers as their text, wherever they stand", () => {
    const text = '{"id":12345678901234567890,"list":[1,-0,{"f":1.0}],"e\\u0073c":[[1e3]],"ok":2}';
    const value = parseJson(text) as Record<string, unknown>;
    expect(value.id).toEqual(new LosslessNumber("12345678901234567890"));
    expect(value.list).toEqual([1, new LosslessNumber("-0"), { f: new LosslessNumber("1.0") }]);
    expect(value.esc).toEqual([[new LosslessNumber("1e3")]]);
    expect(value.ok).toBe(2);
    expect(parseJson("9007199254740993")).toEqual(new LosslessNumber("9007199254740993"));
    expect(stringifyJson(value)).toBe(text.replace("e\\u0073c", "esc"));
  });

  it("refuses duplicate keys, equal values included, at any depth", () => {
    for (const text of ['{"a":1,"a":1}', '{"a":1,"a":2}', '[{"x":{"k":0,"\\u006b":0}}]']) {
      expect(() => parseJson(text), text).toThrow("invalid JSON: duplicate key in an object");
    }
    expect(parseJson('{"a":{"a":1},"b":[{"a":2},{"a":3}]}')).toEqual({
      a: { a: 1 },
      b: [{ a: 2 }, { a: 3 }],
    });
  });

  it.each([
    ["nesting", deep(5), "JSON nested deeper than 4 (at position 4)"],
    ["value count", "[1,2,3,4,5,6,7,8,9,10]", "JSON has more than 10 values (at position 19)"],
    ["string length", '["123456789"]', "JSON string longer than 8 characters (at position 1)"],
    ["key length", '{"123456789":1}', "JSON string longer than 8 characters (at position 1)"],
  ])("refuses text past the %s limit", (_name, text, message) => {
    expect(() => parseJson(text, LIMITS)).toThrow(message);
  });

  it("accepts text at the limits", () => {
    expect(parseJson(deep(4), LIMITS)).toEqual([[[[1]]]]);
    expect(parseJson("[1,2,3,4,5,6,7,8,9]", LIMITS)).toHaveLength(9);
    expect(parseJson('{"12345678":"12345678"}', LIMITS)).toEqual({ "12345678": "12345678" });
  });

  it.each([['{"a":'], ['{"a":1} x'], ['{"a" 1}'], ["[1,]"], ['"\\q"'], ["tru"], ["01"]])(
    "refuses invalid JSON %j without echoing it",
    (text) => {
      expect(() => parseJson(text)).toThrow(/^invalid JSON( at position \d+)?$/);
    },
  );

  it("never quotes the text in its error (it may hold a secret)", () => {
    const secret = "hunter2-secret-value";
    const error = (() => {
      try {
        parseJson(`{"password":"${secret}",}`);
      } catch (thrown) {
        return thrown as Error;
      }
    })();
    expect(error?.message).toMatch(/^invalid JSON/);
    expect(error?.message).not.toContain(secret);
  });

  it("parses 10 000 levels, the most Go's encoding/json takes, without recursion", () => {
    expect(() => parseJson(deep(10_000))).not.toThrow();
    expect(() => parseJson(deep(10_001))).toThrow("JSON nested deeper than 10000");
  });

  it("restores many inexact numbers deep down in linear work", () => {
    const items = Array.from({ length: 50_000 }, () => "1.0").join(",");
    const value = parseJson(`${"[".repeat(200)}${items}${"]".repeat(200)}`);
    let inner = value as unknown[];
    for (let i = 0; i < 199; i++) inner = inner[0] as unknown[];
    expect(inner).toHaveLength(50_000);
    expect(inner[49_999]).toEqual(new LosslessNumber("1.0"));
  });
});

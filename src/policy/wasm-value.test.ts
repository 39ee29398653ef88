import { describe, expect, it } from "vitest";
import { RegoSet, setOf } from "./builtins/index.js";
import { MAX_VALUE_DEPTH, parseValue, readResultSet, readValue, writeValue } from "./wasm-value.js";

describe("parseValue", () => {
  // Each text as the module's opa_value_dump writes it (", " and ": " between items).
  it.each([
    ['{"a": [1, 2.5, -3e2], "b": {"c": null}}', { a: [1, 2.5, -300], b: { c: null } }],
    ['["x\\"y\\u00e9", true, false]', ['x"yé', true, false]],
    ["{}", {}],
    ["[]", []],
  ])("%s is its JSON value", (text, expected) => {
    expect(parseValue(text, "arrays")).toEqual(expected);
  });

  it("reads sets as RegoSets in topdown's order, or as arrays of their members", () => {
    const text = '{"zeta", "alpha", {2, 1}, set(), [1]}';
    const sets = parseValue(text, "sets") as RegoSet;
    expect(sets).toBeInstanceOf(RegoSet);
    // ast.Compare: strings < arrays < sets; the empty set before {1, 2}.
    expect(sets.members).toEqual(["alpha", "zeta", [1], new RegoSet([]), setOf([1, 2])]);
    expect(parseValue(text, "arrays")).toEqual(["alpha", "zeta", [1], [], [1, 2]]);
  });

  it("writes a key that is not a string as its JSON text, as opa_json_dump does", () => {
    expect(parseValue('{1.50: "a", [1, "b"]: 2, {1}: 3}', "arrays")).toEqual({
      "1.50": "a",
      '[1,"b"]': 2,
      "[1]": 3,
    });
  });

  it("keeps __proto__ an own key", () => {
    const value = parseValue('{"__proto__": {"x": 1}, "y": {2}}', "arrays") as object;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(["__proto__", "y"]);
  });

  it.each(["{1, 2", '{"a" 1}', "[1 2]", "sett()", "1 2", '"open', "{1: }"])(
    "refuses %s",
    (text) => {
      expect(() => parseValue(text, "sets")).toThrow(SyntaxError);
    },
  );

  it(`refuses nesting deeper than ${MAX_VALUE_DEPTH}, within the stack`, () => {
    const deep = (n: number) => `${"{".repeat(n)}1${"}".repeat(n)}`;
    expect(parseValue(deep(MAX_VALUE_DEPTH), "arrays")).toBeDefined();
    expect(() => parseValue(deep(MAX_VALUE_DEPTH + 1), "arrays")).toThrow(RangeError);
  });
});

describe("readValue and readResultSet", () => {
  it("read JSON text as JSON, sets where there are sets", () => {
    expect(readValue('{"a": 1}', "sets")).toEqual({ a: 1 });
    expect(readValue("{3, 1}", "sets")).toEqual(setOf([1, 3]));
  });

  it("read a result set (a set of result objects) as an array", () => {
    expect(readResultSet("set()")).toEqual([]);
    expect(readResultSet('{{"result": true}}')).toEqual([{ result: true }]);
    expect(readResultSet('{{"result": {"b", "a"}}}')).toEqual([{ result: ["a", "b"] }]);
    expect(readResultSet('{{"result": 2}, {"result": 1}}')).toEqual([{ result: 1 }, { result: 2 }]);
  });
});

describe("writeValue", () => {
  it("writes JSON, sets as Rego sets, undefined as JSON.stringify does", () => {
    expect(
      writeValue({ a: setOf(["b", "a"]), b: setOf([]), c: undefined, d: [undefined, 1] }),
    ).toBe('{"a":{"a","b"},"b":set(),"d":[null,1]}');
    expect(writeValue(setOf([[1], { k: "v" }]))).toBe('{[1],{"k":"v"}}');
  });

  it("round-trips through parseValue", () => {
    const value = { s: setOf([1, setOf(["x"]), [2, { t: setOf([]) }]]) };
    expect(parseValue(writeValue(value), "sets")).toEqual(value);
  });
});

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

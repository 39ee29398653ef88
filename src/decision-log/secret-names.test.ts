import { describe, expect, it } from "vitest";
import { compileNames, isNamePattern, normalizeName } from "./secret-names.js";

describe("secret names", () => {
  it.each([
    ["X-API-Key", "xapikey"],
    ["x_api_key", "xapikey"],
    ["apiKey", "apikey"],
    ["user[api_key]", "userapikey"],
  ])("%s normalizes to %s", (name, normal) => {
    expect(normalizeName(name)).toBe(normal);
  });

  const test = compileNames(["jwt", "x-corp-*", "*token", "*secret*"]);
  it.each([
    ["jwt", true],
    ["JWT", true],
    ["jwts", false],
    ["X-Corp-Session", true],
    ["my-x-corp", false],
    ["refresh_token", true],
    ["max_tokens", false],
    ["token_type", false],
    ["clientSecretValue", true],
  ])("%s → %s", (name, secret) => {
    expect(test(name)).toBe(secret);
  });

  it("gives the same answer once the memo is full and dropped", () => {
    for (let i = 0; i < 10_000; i++) test(`field-${i}`);
    expect(test("refresh_token")).toBe(true);
    expect(test("field-1")).toBe(false);
  });

  it.each([
    ["x-key", true],
    ["*pin", true],
    ["x-corp-*", true],
    ["*", false],
    ["**", false],
    ["a*b", false],
    ["-_-", false],
  ])("pattern %s valid: %s", (pattern, valid) => {
    expect(isNamePattern(pattern)).toBe(valid);
    if (!valid) expect(() => compileNames([pattern])).toThrow(TypeError);
  });
});

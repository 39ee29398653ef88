import { describe, expect, it } from "vitest";
import { MAX_QUERY_PARAMS, parsePathAndQuery, UrlParseError } from "./request-path.js";

describe("parsePathAndQuery", () => {
  it.each([
    ["/api/v1/x", ["api", "v1", "x"]],
    ["//admin/x", ["admin", "x"]],
    ["", [""]],
    ["/", [""]],
    ["/a//b/", ["a", "", "b", ""]],
    ["/files/a%2Fb", ["files", "a", "b"]],
    ["/a+b", ["a+b"]],
    ["/caf%C3%A9", ["café"]],
    ["/%FF", ["\uFFFD"]],
    ["/a?b=/c", ["a"]],
  ])("path %j → %j", (path, expected) => {
    expect(parsePathAndQuery(path).parsedPath).toEqual(expected);
  });

  it.each([
    ["/?a=1&a=2&b=", { a: ["1", "2"], b: [""] }],
    ["/?c", { c: [""] }],
    ["/?q=a+b%20c", { q: ["a b c"] }],
    ["/?&&=x&y==z", { "": ["x"], y: ["=z"] }],
    ["/?%41=%42", { A: ["B"] }],
    ["/", {}],
  ])("query of %j → %j", (path, expected) => {
    expect({ ...parsePathAndQuery(path).parsedQuery }).toEqual(expected);
  });

  it("lists query parameters in key order, as Go's encoding/json does", () => {
    expect(Object.keys(parsePathAndQuery("/?z=1&b=2&a=3&b=4").parsedQuery)).toEqual([
      "a",
      "b",
      "z",
    ]);
  });

  it.each([
    ["/a%zz", 'invalid URL escape "%zz"'],
    ["/a%4", 'invalid URL escape "%4"'],
    ["/a%", 'invalid URL escape "%"'],
    ["/?a=1;b=2", "invalid semicolon separator in query"],
    ["/?a=%GG&b=%", 'invalid URL escape "%GG"'],
  ])("%j is rejected with Go's message", (path, message) => {
    expect(() => parsePathAndQuery(path)).toThrow(new UrlParseError(message));
  });

  it("refuses more query parameters than Go does", () => {
    const query = Array.from({ length: MAX_QUERY_PARAMS + 1 }, (_, i) => `k${i}=v`).join("&");
    expect(() => parsePathAndQuery(`/?${query}`)).toThrow(/exceeded limit/);
    expect(
      Object.keys(parsePathAndQuery(`/?${query.slice(0, query.lastIndexOf("&"))}`).parsedQuery),
    ).toHaveLength(MAX_QUERY_PARAMS);
  });
});

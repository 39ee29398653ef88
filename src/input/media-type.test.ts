import { describe, expect, it } from "vitest";
import { parseMediaType } from "./media-type.js";

// Expected values are what Go 1.26's mime.ParseMediaType returns for the same strings.
describe("parseMediaType", () => {
  it.each([
    ["multipart/form-data;", { type: "multipart/form-data", params: {} }],
    [
      "multipart/form-data; charset=utf-8",
      { type: "multipart/form-data", params: { charset: "utf-8" } },
    ],
    [
      'multipart/form-data; boundary="a b"',
      { type: "multipart/form-data", params: { boundary: "a b" } },
    ],
    [
      "Multipart/Form-Data; BOUNDARY=XyZ",
      { type: "multipart/form-data", params: { boundary: "XyZ" } },
    ],
  ])("%j", (value, expected) => {
    const { type, params } = parseMediaType(value);
    expect({ type, params: { ...params } }).toEqual(expected);
  });

  it.each([
    ["multipart/form-data; boundary", "mime: invalid media parameter"],
    ["multipart/form-data; boundary=", "mime: invalid media parameter"],
    ["x multipart/form-data; boundary=b", "mime: expected slash after first token"],
    ["multipart/form-data; boundary=b; boundary=c", "mime: duplicate parameter name"],
    ["multipart/; boundary=b", "mime: expected token after slash"],
    ["; boundary=b", "mime: no media type"],
  ])("%j fails: %s", (value, message) => {
    expect(() => parseMediaType(value)).toThrow(message);
  });
});

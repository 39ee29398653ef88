import { describe, expect, it } from "vitest";
import { goUtf8 } from "./go-utf8.js";

const R = "\ufffd";

describe("goUtf8", () => {
  // Expected values are what Go's json.Marshal(string(bytes)) shows.
  it.each([
    ["ASCII", [0x41, 0x00, 0x7f], "A\u0000\u007f"],
    ["2-, 3- and 4-byte runes", [0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80], "é€😀"],
    ["a byte that never starts a rune", [0x41, 0xff, 0x42], `A${R}B`],
    ["a lone continuation byte", [0x80], R],
    ["a truncated 3-byte rune: one per byte", [0xe2, 0x82, 0x41], `${R}${R}A`],
    ["a truncated rune at the end", [0x41, 0xf0, 0x9f, 0x98], `A${R}${R}${R}`],
    ["an overlong encoding", [0xc0, 0xaf], `${R}${R}`],
    ["an overlong 3-byte form", [0xe0, 0x80, 0xaf], `${R}${R}${R}`],
    ["a UTF-16 surrogate", [0xed, 0xa0, 0x80], `${R}${R}${R}`],
    ["past U+10FFFF", [0xf4, 0x90, 0x80, 0x80], `${R}${R}${R}${R}`],
    ["the last code point", [0xf4, 0x8f, 0xbf, 0xbf], "\u{10ffff}"],
  ])("%s", (_, bytes, text) => {
    expect(goUtf8(Uint8Array.from(bytes))).toBe(text);
  });

  it("reads a view at its offset", () => {
    const bytes = Uint8Array.from([0xff, 0x41, 0xe2, 0x42, 0xff]).subarray(1, 4);
    expect(goUtf8(bytes)).toBe(`A${R}B`);
  });
});

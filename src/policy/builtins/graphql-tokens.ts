/**
 * gqlparser's tokens (lexer/token.go, v2.5.36): kinds in its order, their String() forms, and
 * the Go quoting its messages use.
 */
import type { Position } from "./graphql-ast.js";

/** Token kinds in gqlparser's iota order, with their String() forms for messages. */
export const TOKEN_NAMES = [
  "<Invalid>",
  "<EOF>",
  "!",
  "$",
  "&",
  "(",
  ")",
  "...",
  ":",
  "=",
  "@",
  "[",
  "]",
  "{",
  "}",
  "|",
  "Name",
  "Int",
  "Float",
  "String",
  "BlockString",
  "Comment",
] as const;

export const T = {
  Invalid: 0,
  EOF: 1,
  Bang: 2,
  Dollar: 3,
  Amp: 4,
  ParenL: 5,
  ParenR: 6,
  Spread: 7,
  Colon: 8,
  Equals: 9,
  At: 10,
  BracketL: 11,
  BracketR: 12,
  BraceL: 13,
  BraceR: 14,
  Pipe: 15,
  Name: 16,
  Int: 17,
  Float: 18,
  String: 19,
  BlockString: 20,
  Comment: 21,
} as const;

export interface Token {
  Kind: number;
  Value: string;
  Pos: Position;
}

/** Token.String(): the kind, then the value Go-quoted when there is one. */
export function tokenString(token: Token): string {
  // The lexer makes only these kinds.
  const kind = TOKEN_NAMES[token.Kind] as string;
  return token.Value !== "" ? `${kind} ${goQuote(token.Value)}` : kind;
}

/** What strconv.Quote writes for the characters it escapes by name. */
const NAMED_ESCAPES: Record<string, string> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
};

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/**
 * strconv.Quote, for the names and strings that messages quote: printable characters as they
 * are, the rest escaped (a lone surrogate is U+FFFD, as its UTF-8 reads in Go).
 */
export function goQuote(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (char === '"' || char === "\\") out += `\\${char}`;
    else if (PRINTABLE.test(char)) out += char;
    else if (code >= 0xd800 && code <= 0xdfff) out += "\ufffd";
    else if (NAMED_ESCAPES[char] !== undefined) out += NAMED_ESCAPES[char];
    else if (code < 0x20 || code === 0x7f) out += `\\x${hex(code, 2)}`;
    else if (code < 0x10000) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return `${out}"`;
}

const hex = (code: number, digits: number) => code.toString(16).padStart(digits, "0");

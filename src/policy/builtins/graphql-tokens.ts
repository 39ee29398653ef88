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
  const kind = TOKEN_NAMES[token.Kind] ?? `Unknown ${token.Kind}`;
  return token.Value !== "" ? `${kind} ${goQuote(token.Value)}` : kind;
}

/** strconv.Quote, for the names and strings that messages quote. */
export function goQuote(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '"' || char === "\\") out += `\\${char}`;
    else if (char === "\n") out += "\\n";
    else if (char === "\t") out += "\\t";
    else if (char === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += char;
  }
  return `${out}"`;
}

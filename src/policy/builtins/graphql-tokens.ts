/**
 * gqlparser's tokens (lexer/token.go, v2.5.36): kinds in its order, their String() forms, and
 * the Go quoting its messages use.
 */
import type { Position } from "./graphql-ast.js";
import { quote } from "./text-gofmt-format.js";

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
/** strconv.Quote, for the names and strings that messages quote (text-gofmt-format's port). */
export const goQuote = (text: string): string => quote(text, false, '"');

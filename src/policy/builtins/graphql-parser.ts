import {
  type Argument,
  type ChildValue,
  type Comment,
  type CommentGroup,
  type Directive,
  GqlError,
  type Position,
  type Source,
  type Type,
  type Value,
  ValueKind,
} from "./graphql-ast.js";
import { Lexer } from "./graphql-lexer.js";
import { goQuote, T, TOKEN_NAMES, type Token, tokenString } from "./graphql-tokens.js";

/**
 * gqlparser's parser core (parser/parser.go and the shared half of parser/query.go, v2.5.36):
 * token look-ahead, the comment groups it attaches to the next node, and the productions both
 * documents use (values, directives, arguments, type references). gqlparser keeps going after
 * its first error but reports only that one, so here the first error throws.
 */

/** Raised when a document exceeds this host's bounds (not a GraphQL error: never `false`). */
export class GraphqlLimitError extends Error {}

/** Nesting (selection sets, list and object values, list types) a document may have. */
export const MAX_NESTING = 200;

export class Parser {
  private readonly lexer: Lexer;
  private peeked = false;
  private peekToken: Token | undefined;
  private peekError: GqlError | undefined;
  /** The last token consumed. */
  prev: Token | undefined;
  /** The comments read just before the token peeked at. */
  comment: CommentGroup | undefined;
  private commentConsuming = false;
  private depth = 0;

  constructor(
    text: string,
    private readonly source: Source,
  ) {
    this.lexer = new Lexer(text, source);
  }

  /** Runs `parse` one nesting level deeper, refusing documents nested past MAX_NESTING. */
  nested<R>(parse: () => R): R {
    if (++this.depth > MAX_NESTING) {
      throw new GraphqlLimitError(`GraphQL document nested deeper than ${MAX_NESTING}`);
    }
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  peek(): Token {
    if (!this.peeked) {
      const { token, error } = this.lexer.read();
      this.peekToken = token;
      this.peekError = error;
      this.peeked = true;
      if (token.Kind === T.Comment) this.consumeCommentGroup();
    }
    return this.peekToken as Token;
  }

  peekPos(): Position {
    return { ...this.peek().Pos };
  }

  /**
   * Consumes the token peeked at (a lexing error is thrown here). Every caller peeks first, so
   * gqlparser's path for a token not yet peeked at is not needed.
   */
  next(): Token {
    const token = this.peek();
    this.peeked = false;
    this.comment = undefined;
    this.prev = token;
    if (this.peekError) throw this.peekError;
    return token;
  }

  private consumeComment(): Comment | undefined {
    const token = this.peek();
    if (token.Kind !== T.Comment) return undefined;
    this.next();
    return { Value: token.Value, Position: { ...token.Pos } };
  }

  private consumeCommentGroup(): void {
    if (this.commentConsuming) return;
    this.commentConsuming = true;
    const comments: Comment[] = [];
    for (let comment = this.consumeComment(); comment; comment = this.consumeComment()) {
      comments.push(comment);
    }
    // A group is consumed at a comment token: it has one comment at least.
    this.comment = { List: comments };
    this.commentConsuming = false;
  }

  error(token: Token, message: string): never {
    throw new GqlError(message, token.Pos.Line, token.Pos.Column, this.source.Name);
  }

  unexpected(token: Token = this.peek()): never {
    this.error(token, `Unexpected ${tokenString(token)}`);
  }

  expectKeyword(value: string): { token: Token; comment: CommentGroup | undefined } {
    const token = this.peek();
    const comment = this.comment;
    if (token.Kind === T.Name && token.Value === value) return { token: this.next(), comment };
    this.error(token, `Expected ${goQuote(value)}, found ${tokenString(token)}`);
  }

  expect(kind: number): { token: Token; comment: CommentGroup | undefined } {
    const token = this.peek();
    const comment = this.comment;
    if (token.Kind === kind) return { token: this.next(), comment };
    this.error(token, `Expected ${TOKEN_NAMES[kind]}, found ${TOKEN_NAMES[token.Kind]}`);
  }

  skip(kind: number): boolean {
    if (this.peek().Kind !== kind) return false;
    this.next();
    return true;
  }

  /** `many`: zero or more items between `start` and `end` (the callers have seen `start`). */
  many(start: number, end: number, item: () => void): void {
    this.expect(start);
    while (this.peek().Kind !== end) item();
    this.next();
  }

  /** `some`: one or more items between `start` and `end`; the comment before `end`. */
  some(start: number, end: number, item: () => void): CommentGroup | undefined {
    if (!this.skip(start)) return undefined;
    let called = false;
    while (this.peek().Kind !== end) {
      called = true;
      item();
    }
    if (!called) {
      const token = this.peek();
      this.error(token, `expected at least one definition, found ${TOKEN_NAMES[token.Kind]}`);
    }
    const comment = this.comment;
    this.next();
    return comment;
  }

  parseName(): string {
    return this.expect(T.Name).token.Value;
  }

  parseVariable(): string {
    this.expect(T.Dollar);
    return this.parseName();
  }

  parseValueLiteral(isConst: boolean): Value {
    const token = this.peek();
    if (token.Kind === T.BracketL) return this.nested(() => this.parseList(isConst));
    if (token.Kind === T.BraceL) return this.nested(() => this.parseObject(isConst));
    if (token.Kind === T.Dollar) {
      if (isConst) this.unexpected();
      // Go evaluates the call in `&Value{Comment: p.comment, Raw: p.parseVariable()}` before
      // the field read, so the comment is the one after the variable (none).
      const Raw = this.parseVariable();
      return value(Raw, ValueKind.Variable, { ...token.Pos }, this.comment);
    }
    const kind = literalKind(token);
    if (kind === undefined) this.unexpected();
    this.next();
    return value(token.Value, kind, { ...token.Pos }, this.comment);
  }

  private parseList(isConst: boolean): Value {
    const children: ChildValue[] = [];
    const pos = this.peekPos();
    const comment = this.comment;
    this.many(T.BracketL, T.BracketR, () => {
      children.push({ Name: "", Value: this.parseValueLiteral(isConst) });
    });
    return { ...value("", ValueKind.ListValue, pos, comment), ...nonEmpty("Children", children) };
  }

  private parseObject(isConst: boolean): Value {
    const children: ChildValue[] = [];
    const pos = this.peekPos();
    const comment = this.comment;
    this.many(T.BraceL, T.BraceR, () => {
      children.push(this.parseNamedValue(isConst));
    });
    return { ...value("", ValueKind.ObjectValue, pos, comment), ...nonEmpty("Children", children) };
  }

  parseArguments(isConst: boolean): { Arguments?: Argument[] } {
    const args: Argument[] = [];
    this.some(T.ParenL, T.ParenR, () => {
      args.push(this.parseNamedValue(isConst));
    });
    return nonEmpty("Arguments", args);
  }

  /** `name: value`, an object field or an argument (parseObjectField, parseArgument). */
  private parseNamedValue(isConst: boolean): ChildValue & Argument {
    const Position = this.peekPos();
    const Comment = this.comment;
    const Name = this.parseName();
    this.expect(T.Colon);
    return { Name, Value: this.parseValueLiteral(isConst), Position, Comment };
  }

  parseDirectives(isConst: boolean): { Directives?: Directive[] } {
    const directives: Directive[] = [];
    while (this.peek().Kind === T.At) {
      this.expect(T.At);
      const Position = this.peekPos();
      const Name = this.parseName();
      directives.push({ Name, ...this.parseArguments(isConst), Position, Location: "" });
    }
    return nonEmpty("Directives", directives);
  }

  parseTypeReference(): Type {
    const type: Type = { NamedType: "", NonNull: false };
    if (this.skip(T.BracketL)) {
      type.Position = this.peekPos();
      type.Elem = this.nested(() => this.parseTypeReference());
      this.expect(T.BracketR);
    } else {
      type.Position = this.peekPos();
      type.NamedType = this.parseName();
    }
    if (this.skip(T.Bang)) type.NonNull = true;
    return type;
  }
}

function literalKind(token: Token): number | undefined {
  switch (token.Kind) {
    case T.Int:
      return ValueKind.IntValue;
    case T.Float:
      return ValueKind.FloatValue;
    case T.String:
      return ValueKind.StringValue;
    case T.BlockString:
      return ValueKind.BlockValue;
    case T.Name:
      if (token.Value === "true" || token.Value === "false") return ValueKind.BooleanValue;
      return token.Value === "null" ? ValueKind.NullValue : ValueKind.EnumValue;
    default:
      return undefined;
  }
}

function value(
  Raw: string,
  Kind: number,
  Position: Position,
  Comment: CommentGroup | undefined,
): Value {
  return { Raw, Kind, Position, Comment, ExpectedTypeHasDefault: false };
}

/** `{key: items}` when there are items: Go's append leaves a slice nil until the first one. */
export function nonEmpty<K extends string, V>(key: K, items: V[]): { [P in K]?: V[] } {
  return (items.length > 0 ? { [key]: items } : {}) as { [P in K]?: V[] };
}

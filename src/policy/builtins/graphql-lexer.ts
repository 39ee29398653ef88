import { GqlError, type Source } from "./graphql-ast.js";
import { T, type Token } from "./graphql-tokens.js";

/**
 * gqlparser's lexer (lexer/lexer.go, v2.5.36), ported rather than taken from graphql-js: it
 * reads UTF-8 bytes, counts columns in runes, lexes `1a` as two tokens where graphql-js refuses,
 * turns a `\u` surrogate escape into U+FFFD, and words its errors its own way; OPA shows all of
 * that. gqlparser is MIT-licensed (Copyright (c) 2018 Adam Scarr).
 */

const PUNCTUATORS: Record<string, number> = {
  "!": T.Bang,
  $: T.Dollar,
  "&": T.Amp,
  "(": T.ParenL,
  ")": T.ParenR,
  ":": T.Colon,
  "=": T.Equals,
  "@": T.At,
  "[": T.BracketL,
  "]": T.BracketR,
  "{": T.BraceL,
  "}": T.BraceR,
  "|": T.Pipe,
};

const utf8 = new TextDecoder();
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const isDigit = (b: number | undefined) => b !== undefined && b >= 0x30 && b <= 0x39;
const isNameStart = (b: number) =>
  (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f;
/** A byte that does not start a UTF-8 sequence: it adds no rune. */
const isContinuation = (b: number) => (b & 0xc0) === 0x80;

class LexFailure {
  constructor(
    readonly token: Token,
    readonly error: GqlError,
  ) {}
}

export class Lexer {
  private readonly input: Uint8Array;
  private start = 0;
  private startRunes = 0;
  private end = 0;
  private endRunes = 0;
  private line = 1;
  private lineStartRunes = 0;

  constructor(
    text: string,
    private readonly source: Source,
  ) {
    this.input = new TextEncoder().encode(text);
  }

  private text(from: number, to: number): string {
    return utf8.decode(this.input.subarray(from, to));
  }

  private token(kind: number, value = this.text(this.start, this.end)): Token {
    return {
      Kind: kind,
      Value: value,
      Pos: {
        Start: this.startRunes,
        End: this.endRunes,
        Line: this.line,
        Column: this.startRunes - this.lineStartRunes + 1,
        Src: this.source,
      },
    };
  }

  /** makeError: an Invalid token ending where the lexer stopped, and the error there. */
  private fail(message: string): never {
    const column = this.endRunes - this.lineStartRunes + 1;
    const token: Token = {
      Kind: T.Invalid,
      Value: "",
      Pos: {
        Start: this.startRunes,
        End: this.endRunes,
        Line: this.line,
        Column: column,
        Src: this.source,
      },
    };
    throw new LexFailure(token, new GqlError(message, this.line, column, this.source.Name));
  }

  /**
   * ReadToken: the next token, after whitespace, commas and a byte order mark. A lexing error
   * comes with an Invalid token: the parser reports it only if it consumes that token.
   */
  read(): { token: Token; error?: GqlError } {
    try {
      return { token: this.scan() };
    } catch (error) {
      if (error instanceof LexFailure) return { token: error.token, error: error.error };
      throw error;
    }
  }

  private scan(): Token {
    this.whitespace();
    this.start = this.end;
    this.startRunes = this.endRunes;
    const byte = this.input[this.start];
    if (byte === undefined) return this.token(T.EOF);
    this.advance(1);
    const char = String.fromCharCode(byte);
    const punctuator = PUNCTUATORS[char];
    if (punctuator !== undefined) return this.token(punctuator, "");
    if (char === "." && this.text(this.start, this.start + 3) === "...") {
      this.advance(2);
      return this.token(T.Spread, "");
    }
    if (char === "#") return this.readComment();
    if (isNameStart(byte)) return this.readName();
    if (char === "-" || isDigit(byte)) return this.readNumber();
    if (char === '"') {
      return this.text(this.start, this.start + 3) === '"""'
        ? this.readBlockString()
        : this.readString();
    }
    this.advance(-1);
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) {
      this.fail(`Cannot contain the invalid character "\\u${byte.toString(16).padStart(4, "0")}"`);
    }
    if (char === "'") {
      this.fail(`Unexpected single quote character ('), did you mean to use a double quote (")?`);
    }
    // Go's string(byte) reads the byte as a code point.
    this.fail(`Cannot parse the unexpected character "${char}".`);
  }

  /** Moves `end` by `bytes` ASCII bytes (one rune each). */
  private advance(bytes: number): void {
    this.end += bytes;
    this.endRunes += bytes;
  }

  /** Moves `end` over one UTF-8 sequence: one rune. */
  private advanceRune(): void {
    this.end++;
    while (this.end < this.input.length && isContinuation(this.input[this.end] as number)) {
      this.end++;
    }
    this.endRunes++;
  }

  private newLine(): void {
    this.line++;
    this.lineStartRunes = this.endRunes;
  }

  private whitespace(): void {
    for (;;) {
      const byte = this.input[this.end];
      if (byte === 0x09 || byte === 0x20 || byte === 0x2c) this.advance(1);
      else if (byte === 0x0a) {
        this.advance(1);
        this.newLine();
      } else if (byte === 0x0d) {
        this.advance(1);
        this.newLine();
        if (this.input[this.end] === 0x0a) this.advance(1);
      } else if (
        byte === 0xef &&
        this.input[this.end + 1] === 0xbb &&
        this.input[this.end + 2] === 0xbf
      ) {
        this.end += 3;
        this.endRunes++;
      } else return;
    }
  }

  private readComment(): Token {
    for (;;) {
      const byte = this.input[this.end];
      if (byte === undefined || (byte <= 0x1f && byte !== 0x09)) break;
      this.advanceRune();
    }
    return this.token(T.Comment);
  }

  private readName(): Token {
    for (;;) {
      const byte = this.input[this.end];
      if (byte === undefined || !(isNameStart(byte) || isDigit(byte))) break;
      this.advance(1);
    }
    return this.token(T.Name);
  }

  private acceptByte(...bytes: string[]): boolean {
    const byte = this.input[this.end];
    if (byte === undefined || !bytes.includes(String.fromCharCode(byte))) return false;
    this.advance(1);
    return true;
  }

  private acceptDigits(): number {
    let consumed = 0;
    while (isDigit(this.input[this.end])) {
      this.advance(1);
      consumed++;
    }
    return consumed;
  }

  private describeNext(): string {
    const byte = this.input[this.end];
    return byte === undefined ? "<EOF>" : `"${String.fromCharCode(byte)}"`;
  }

  private expectDigits(): void {
    if (this.acceptDigits() === 0) {
      this.fail(`Invalid number, expected digit but got: ${this.describeNext()}.`);
    }
  }

  private readNumber(): Token {
    let float = false;
    this.advance(-1);
    this.acceptByte("-");
    if (this.acceptByte("0")) {
      const consumed = this.acceptDigits();
      if (consumed !== 0) {
        this.advance(-consumed);
        this.fail(`Invalid number, unexpected digit after 0: ${this.describeNext()}.`);
      }
    } else this.expectDigits();
    if (this.acceptByte(".")) {
      float = true;
      this.expectDigits();
    }
    if (this.acceptByte("e", "E")) {
      float = true;
      this.acceptByte("-", "+");
      this.expectDigits();
    }
    return this.token(float ? T.Float : T.Int);
  }

  private readString(): Token {
    const input = this.input;
    // The value excludes the quotes; the position covers them.
    this.start++;
    this.startRunes++;
    let escaped: string | undefined;
    while (this.end < input.length) {
      const byte = input[this.end] as number;
      if (byte === 0x0a || byte === 0x0d) break;
      if (byte < 0x20 && byte !== 0x09) {
        this.fail(`Invalid character within String: "\\u${byte.toString(16).padStart(4, "0")}".`);
      }
      if (byte === QUOTE) {
        const token = this.token(T.String, escaped ?? this.text(this.start, this.end));
        token.Pos.Start--;
        token.Pos.End++;
        this.advance(1);
        return token;
      }
      if (byte !== BACKSLASH) {
        const from = this.end;
        this.advanceRune();
        if (escaped !== undefined) escaped += this.text(from, this.end);
        continue;
      }
      escaped = (escaped ?? this.text(this.start, this.end)) + this.readEscape();
    }
    this.fail("Unterminated string.");
  }

  /** One backslash escape inside a string: its value, `end` moved past it. */
  private readEscape(): string {
    const input = this.input;
    if (this.end + 1 >= input.length) {
      this.advance(1);
      this.fail("Invalid character escape sequence.");
    }
    const escapedChar = String.fromCharCode(input[this.end + 1] as number);
    if (escapedChar === "u") {
      if (this.end + 6 >= input.length) {
        this.advance(1);
        this.fail(`Invalid character escape sequence: \\${this.text(this.end, input.length)}.`);
      }
      const hex = this.text(this.end + 2, this.end + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        this.advance(1);
        this.fail(`Invalid character escape sequence: \\${this.text(this.end, this.end + 5)}.`);
      }
      this.advance(6);
      const code = Number.parseInt(hex, 16);
      // Go's WriteRune writes U+FFFD for a surrogate half.
      return code >= 0xd800 && code <= 0xdfff ? "\ufffd" : String.fromCharCode(code);
    }
    const simple = SIMPLE_ESCAPES[escapedChar];
    if (simple === undefined) {
      this.advance(1);
      this.fail(`Invalid character escape sequence: \\${escapedChar}.`);
    }
    this.advance(2);
    return simple;
  }

  private readBlockString(): Token {
    const input = this.input;
    const raw: number[] = [];
    this.start += 3;
    this.startRunes += 3;
    this.advance(2);
    while (this.end < input.length) {
      const byte = input[this.end] as number;
      if (byte === QUOTE) {
        let quotes = 1;
        while (input[this.end + quotes] === QUOTE) quotes++;
        if (quotes >= 3) {
          // Extra quotes before the closing three belong to the value.
          for (let i = 0; i < quotes - 3; i++) raw.push(QUOTE);
          const token = this.token(T.BlockString, blockStringValue(raw));
          token.Pos.Start -= 3;
          token.Pos.End += 3;
          this.advance(quotes);
          return token;
        }
      }
      if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) {
        this.fail(`Invalid character within String: "\\u${byte.toString(16).padStart(4, "0")}".`);
      }
      if (byte === BACKSLASH && this.text(this.end, this.end + 4) === '\\"""') {
        raw.push(QUOTE, QUOTE, QUOTE);
        this.advance(4);
      } else if (byte === 0x0d) {
        if (input[this.end + 1] === 0x0a) this.advance(1);
        raw.push(0x0a);
        this.advance(1);
        this.newLine();
      } else {
        const from = this.end;
        this.advanceRune();
        for (let i = from; i < this.end; i++) raw.push(input[i] as number);
        if (byte === 0x0a) this.newLine();
      }
    }
    this.fail("Unterminated string.");
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  "/": "/",
  "\\": "\\",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

const NO_INDENT = Number.MAX_SAFE_INTEGER;

/** The byte index of a line's first non-blank byte; NO_INDENT for a blank line. */
function leadingWhitespace(line: Uint8Array): number {
  const i = line.findIndex((b) => b !== 0x20 && b !== 0x09);
  return i === -1 ? NO_INDENT : i;
}

/** blockStringValue (lexer/blockstring.go): the spec's BlockStringValue(), on bytes as in Go. */
function blockStringValue(raw: number[]): string {
  const bytes = Uint8Array.from(raw);
  const lines: Uint8Array[] = [];
  let from = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      lines.push(bytes.subarray(from, i));
      from = i + 1;
    }
  }
  let common = NO_INDENT;
  for (const line of lines) {
    const indent = leadingWhitespace(line);
    if (indent < line.length && indent < common) {
      common = indent;
      if (common === 0) break;
    }
  }
  if (common !== NO_INDENT) {
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as Uint8Array;
      lines[i] = line.length < common ? new Uint8Array() : line.subarray(common);
    }
  }
  let start = 0;
  let end = lines.length;
  while (start < end && leadingWhitespace(lines[start] as Uint8Array) === NO_INDENT) start++;
  while (start < end && leadingWhitespace(lines[end - 1] as Uint8Array) === NO_INDENT) end--;
  return lines
    .slice(start, end)
    .map((line) => utf8.decode(line))
    .join("\n");
}

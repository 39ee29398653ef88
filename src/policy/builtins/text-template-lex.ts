/**
 * Go's text/template/parse lexer (lex.go) with the default delimiters and comments dropped: text,
 * actions with their `{{- `/` -}}` trimming, and the tokens inside actions. Positions are UTF-16
 * offsets; characters are read as code points, as Go reads runes.
 */

import { type Keyword, lexInsideAction } from "./text-template-lex-action.js";

export type ItemType =
  | "error"
  | "bool"
  | "char"
  | "charConstant"
  | "complex"
  | "assign"
  | "declare"
  | "eof"
  | "field"
  | "identifier"
  | "leftDelim"
  | "leftParen"
  | "number"
  | "pipe"
  | "rawString"
  | "rightDelim"
  | "rightParen"
  | "space"
  | "string"
  | "text"
  | "variable"
  | Keyword;

export interface Item {
  type: ItemType;
  value: string;
}

const SPACE = " \t\r\n";
export type State = ((l: Lexer) => State) | null;

/** A pull lexer: `next()` returns one item at a time, "eof" or "error" last. */
export class Lexer {
  pos = 0;
  start = 0;
  insideAction = false;
  parenDepth = 0;
  item: Item = { type: "eof", value: "" };

  constructor(public input: string) {}

  next(): Item {
    this.item = { type: "eof", value: "EOF" };
    let state: State = this.insideAction ? lexInsideAction : lexText;
    while (state) state = state(this);
    return this.item;
  }

  peek(): string {
    const code = this.input.codePointAt(this.pos);
    return code === undefined ? "" : String.fromCodePoint(code);
  }

  read(): string {
    const c = this.peek();
    this.pos += c.length;
    return c;
  }

  emit(type: ItemType): State {
    this.item = { type, value: this.input.slice(this.start, this.pos) };
    this.start = this.pos;
    return null;
  }

  errorf(message: string): State {
    this.item = { type: "error", value: message };
    this.input = "";
    this.pos = this.start = 0;
    return null;
  }

  accept(valid: string): boolean {
    const c = this.peek();
    if (c === "" || !valid.includes(c)) return false;
    this.pos += c.length;
    return true;
  }

  acceptRun(valid: string): void {
    while (this.accept(valid));
  }

  /** At `}}`, possibly after a ` -` trim marker: [at the delimiter, with the marker]. */
  atRightDelim(): [boolean, boolean] {
    if (hasRightTrimMarker(this.input, this.pos) && this.input.startsWith("}}", this.pos + 2)) {
      return [true, true];
    }
    return [this.input.startsWith("}}", this.pos), false];
  }

  /** What may follow an identifier: space, `.`, `,`, `|`, `:`, `)`, `(`, the end or `}}`. */
  atTerminator(): boolean {
    const c = this.peek();
    return c === "" || isSpace(c) || ".,|:)(".includes(c) || this.input.startsWith("}}", this.pos);
  }
}

export function isSpace(c: string): boolean {
  return c !== "" && SPACE.includes(c);
}

/** Go's isAlphaNumeric: `_`, a letter or a decimal digit (unicode.IsLetter / IsDigit). */
export function isAlphaNumeric(c: string): boolean {
  return c !== "" && /^[_\p{L}\p{Nd}]$/u.test(c);
}

function hasLeftTrimMarker(s: string, at: number): boolean {
  return s[at] === "-" && isSpace(s[at + 1] ?? "");
}

export function hasRightTrimMarker(s: string, at: number): boolean {
  return isSpace(s[at] ?? "") && s[at + 1] === "-";
}

function spacesBefore(s: string, end: number, start: number): number {
  let i = end;
  while (i > start && isSpace(s[i - 1] as string)) i--;
  return end - i;
}

function spacesAfter(s: string, start: number): number {
  let i = start;
  while (i < s.length && isSpace(s[i] as string)) i++;
  return i - start;
}

function lexText(l: Lexer): State {
  const x = l.input.indexOf("{{", l.pos);
  if (x < 0) {
    l.pos = l.input.length;
    return l.pos > l.start ? l.emit("text") : l.emit("eof");
  }
  if (x > l.pos) {
    const trim = hasLeftTrimMarker(l.input, x + 2) ? spacesBefore(l.input, x, l.start) : 0;
    l.pos = x - trim;
    const text = l.pos > l.start;
    if (text) l.emit("text");
    l.pos = x;
    l.start = l.pos;
    if (text) return null;
  }
  return lexLeftDelim;
}

function lexLeftDelim(l: Lexer): State {
  l.pos += 2;
  const after = hasLeftTrimMarker(l.input, l.pos) ? 2 : 0;
  if (l.input.startsWith("/*", l.pos + after)) {
    l.pos += after;
    l.start = l.pos;
    return lexComment;
  }
  l.emit("leftDelim");
  l.insideAction = true;
  l.pos += after;
  l.start = l.pos;
  l.parenDepth = 0;
  return null;
}

function lexComment(l: Lexer): State {
  l.pos += 2;
  const x = l.input.indexOf("*/", l.pos);
  if (x < 0) return l.errorf("unclosed comment");
  l.pos = x + 2;
  const [delim, trim] = l.atRightDelim();
  if (!delim) return l.errorf("comment ends before closing delimiter");
  l.pos += (trim ? 2 : 0) + 2;
  if (trim) l.pos += spacesAfter(l.input, l.pos);
  l.start = l.pos;
  return lexText;
}

export function lexRightDelim(l: Lexer): State {
  const [, trim] = l.atRightDelim();
  if (trim) {
    l.pos += 2;
    l.start = l.pos;
  }
  l.pos += 2;
  l.emit("rightDelim");
  if (trim) {
    l.pos += spacesAfter(l.input, l.pos);
    l.start = l.pos;
  }
  l.insideAction = false;
  return null;
}

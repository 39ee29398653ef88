import {
  hasRightTrimMarker,
  isAlphaNumeric,
  isSpace,
  type Lexer,
  lexRightDelim,
  type State,
} from "./text-template-lex.js";

/** The lexer inside `{{ }}` (lex.go lexInsideAction and what it calls): one token per call. */

export type Keyword =
  | "block"
  | "break"
  | "continue"
  | "dot"
  | "define"
  | "else"
  | "end"
  | "if"
  | "nil"
  | "range"
  | "template"
  | "with";

const KEYWORDS = new Set([
  "block",
  "break",
  "continue",
  "define",
  "else",
  "end",
  "if",
  "nil",
  "range",
  "template",
  "with",
]);

export function lexInsideAction(l: Lexer): State {
  const [delim] = l.atRightDelim();
  if (delim) return l.parenDepth === 0 ? lexRightDelim : l.errorf("unclosed left paren");
  const start = l.pos;
  const r = l.read();
  if (r === "") return l.errorf("unclosed action");
  if (isSpace(r)) {
    l.pos = start;
    return lexSpace;
  }
  if (r === "=") return l.emit("assign");
  if (r === ":") return l.read() === "=" ? l.emit("declare") : l.errorf("expected :=");
  if (r === "|") return l.emit("pipe");
  if (r === '"') return lexQuote('"', "string");
  if (r === "`") return lexRawQuote;
  if (r === "$") return lexVariable;
  if (r === "'") return lexQuote("'", "charConstant");
  if (r === "." && !/^[0-9]$/.test(l.peek())) return lexFieldOrVariable("field");
  if (r === "." || r === "+" || r === "-" || /^[0-9]$/.test(r)) {
    l.pos = start;
    return lexNumber;
  }
  if (isAlphaNumeric(r)) {
    l.pos = start;
    return lexIdentifier;
  }
  if (r === "(") {
    l.parenDepth++;
    return l.emit("leftParen");
  }
  if (r === ")") {
    l.parenDepth--;
    return l.parenDepth < 0 ? l.errorf("unexpected right paren") : l.emit("rightParen");
  }
  const code = r.codePointAt(0) as number;
  return code >= 0x20 && code < 0x7f ? l.emit("char") : l.errorf("unrecognized character");
}

function lexSpace(l: Lexer): State {
  let spaces = 0;
  while (isSpace(l.peek())) {
    l.pos++;
    spaces++;
  }
  // A trim-marked closing delimiter starts with a space: leave that space to it.
  if (hasRightTrimMarker(l.input, l.pos - 1) && l.input.startsWith("}}", l.pos + 1)) {
    l.pos--;
    if (spaces === 1) return lexRightDelim;
  }
  return l.emit("space");
}

function lexIdentifier(l: Lexer): State {
  while (isAlphaNumeric(l.peek())) l.read();
  if (!l.atTerminator()) return l.errorf("bad character");
  const word = l.input.slice(l.start, l.pos);
  if (KEYWORDS.has(word)) return l.emit(word as Keyword);
  if (word === "true" || word === "false") return l.emit("bool");
  return l.emit("identifier");
}

function lexVariable(l: Lexer): State {
  return l.atTerminator() ? l.emit("variable") : lexFieldOrVariable("variable");
}

function lexFieldOrVariable(type: "field" | "variable"): State {
  return (l) => {
    if (l.atTerminator()) return l.emit(type === "variable" ? "variable" : "dot");
    while (isAlphaNumeric(l.peek())) l.read();
    return l.atTerminator() ? l.emit(type) : l.errorf("bad character");
  };
}

function lexQuote(delimiter: string, type: "string" | "charConstant"): State {
  return (l) => {
    for (;;) {
      const c = l.read();
      if (c === "\\") {
        const escaped = l.read();
        if (escaped !== "" && escaped !== "\n") continue;
      }
      if (c === "\\" || c === "" || c === "\n") return l.errorf("unterminated quoted string");
      if (c === delimiter) return l.emit(type);
    }
  };
}

function lexRawQuote(l: Lexer): State {
  const close = l.input.indexOf("`", l.pos);
  if (close < 0) return l.errorf("unterminated raw quoted string");
  l.pos = close + 1;
  return l.emit("rawString");
}

function lexNumber(l: Lexer): State {
  if (!scanNumber(l)) return l.errorf("bad number syntax");
  const sign = l.peek();
  if (sign === "+" || sign === "-") {
    // Complex: 1+2i.
    if (!scanNumber(l) || l.input[l.pos - 1] !== "i") return l.errorf("bad number syntax");
    return l.emit("complex");
  }
  return l.emit("number");
}

function scanNumber(l: Lexer): boolean {
  l.accept("+-");
  let digits = "0123456789_";
  if (l.accept("0")) {
    if (l.accept("xX")) digits = "0123456789abcdefABCDEF_";
    else if (l.accept("oO")) digits = "01234567_";
    else if (l.accept("bB")) digits = "01_";
  }
  l.acceptRun(digits);
  if (l.accept(".")) l.acceptRun(digits);
  if (digits.length === 11 && l.accept("eE")) {
    l.accept("+-");
    l.acceptRun("0123456789_");
  }
  if (digits.length === 23 && l.accept("pP")) {
    l.accept("+-");
    l.acceptRun("0123456789_");
  }
  l.accept("i");
  if (isAlphaNumeric(l.peek())) {
    l.read();
    return false;
  }
  return true;
}

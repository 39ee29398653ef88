import { CST, Lexer, Parser } from "yaml";

/**
 * What libyaml (go-yaml v2's scanner) refuses in a YAML text that the `yaml` package's YAML 1.2
 * parser takes, checked on the text and its lexemes before parsing: characters its reader
 * refuses, directives other than one `%YAML 1.1` and `%TAG`s before an explicit `---`, tabs where
 * a token could start in block context (line starts, after `-`, `?`, a complex key's `:`) and in
 * a block scalar's indentation, a plain scalar starting with `:` in flow context, YAML 1.2's `\/` and surrogate escapes in double quotes. Anchor names outside `[0-9A-Za-z_-]`,
 * raw U+2028/U+2029 line breaks and root block scalars from column 0 would be read
 * differently: {@link UnprovableYaml}.
 */

/** A YAML text this port cannot read as go-yaml does: the builtin is undefined, not false. */
export class UnprovableYaml extends Error {}

const fail = (message: string): never => {
  throw new Error(`yaml: ${message}`);
};

/** Throws what libyaml would refuse; returns the text with CR, CRLF and NEL made line feeds. */
export function checkLibyamlSyntax(input: string): string {
  if (/[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u.test(input))
    fail("control characters are not allowed");
  if (/[\u2028\u2029]/.test(input))
    throw new UnprovableYaml("a raw U+2028 or U+2029 in YAML text is not read as go-yaml reads it");
  const text = input.replace(/\r\n?|\x85/g, "\n");
  if (/^%/m.test(text)) checkDirectives(text);
  checkLexemes(text);
  return text;
}

/** The directives before the first document: %YAML (once, 1.1) and %TAG, then `---`. */
function checkDirectives(text: string): void {
  let versions = 0;
  let seen = false;
  for (const token of new Parser().parse(text)) {
    if (token.type === "document") {
      if (seen && !token.start.some((t) => t.type === "doc-start"))
        fail("did not find expected <document start>");
      return;
    }
    if (token.type !== "directive") continue;
    seen = true;
    if (/^%YAML[ \t]/.test(token.source)) {
      if (++versions > 1) fail("found duplicate %YAML directive");
      if (!/^%YAML[ \t]+1\.1(?:[ \t]|$)/.test(token.source))
        fail("found incompatible YAML document");
    } else if (!/^%TAG[ \t]/.test(token.source)) fail("found unknown directive name");
  }
  if (seen) fail("did not find expected <document start>");
}

/** The escapes libyaml takes in a double-quoted scalar (no `\/`, no surrogate code points). */
const ESCAPES = new Set("0abt\tnvfre \"'\\N_LP\n");
const HEX_WIDTH: Record<string, number> = { x: 2, u: 4, U: 8 };

function checkEscapes(raw: string): void {
  for (let i = 1; i < raw.length - 1; i++) {
    if (raw[i] !== "\\") continue;
    const c = raw[i + 1] as string;
    const width = HEX_WIDTH[c] ?? 0;
    if (width === 0 && !ESCAPES.has(c)) fail(`found unknown escape character ${c}`);
    const code = Number.parseInt(raw.slice(i + 2, i + 2 + width), 16);
    if (width > 0 && ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff))
      fail("found invalid Unicode character escape code");
    i += 1 + width;
  }
}

/**
 * One pass over the lexemes, tracking libyaml's `simple_key_allowed` in block context: where it
 * holds, the scanner does not skip a tab, which then cannot start a token.
 */
function checkLexemes(text: string): void {
  let flow = 0;
  let keyAllowed = true;
  let lineStart = true;
  let scalarNext = false;
  let blockNext = false;
  for (const lexeme of new Lexer().lex(text)) {
    if (scalarNext) {
      // A scalar's text follows its marker; a block scalar's ends with its last line break.
      if (blockNext) checkBlockScalar(lexeme);
      // libyaml reads a `:` that starts a token in flow context as a value indicator.
      else if (flow > 0 && lexeme.startsWith(":")) fail("did not find expected ',' or '}'");
      scalarNext = false;
      blockNext = false;
      lineStart = lexeme.endsWith("\n");
      keyAllowed = lineStart && flow === 0;
      continue;
    }
    const type = CST.tokenType(lexeme);
    if (type === "space") {
      if (flow === 0 && keyAllowed && lexeme.includes("\t"))
        fail("found character that cannot start any token");
      continue;
    }
    if (type === "newline") {
      lineStart = true;
      keyAllowed = flow === 0;
      continue;
    }
    if (type === "comment" || type === "doc-mode" || type === "byte-order-mark") continue;
    keyAllowed = allowsKey(type, lineStart, flow);
    if (type === "flow-map-start" || type === "flow-seq-start") flow++;
    if (type === "flow-map-end" || type === "flow-seq-end") flow = Math.max(flow - 1, 0);
    if (type === "scalar") scalarNext = true;
    if (type === "block-scalar-header") blockNext = !/[1-9]/.test(lexeme);
    if (type === "double-quoted-scalar") checkEscapes(lexeme);
    if ((type === "anchor" || type === "alias") && !/^[&*][0-9A-Za-z_-]+$/.test(lexeme))
      throw new UnprovableYaml(`anchor name ${lexeme} is not read as go-yaml reads it`);
    lineStart = false;
  }
}

/** simple_key_allowed after a token: after `-`, `?`, a complex key's `:`, and in flow starts. */
function allowsKey(type: string | null, lineStart: boolean, flow: number): boolean {
  if (type === "seq-item-ind" || type === "explicit-key-ind") return flow === 0;
  // A `:` first on its line follows a complex (`?`) key.
  if (type === "map-value-ind") return lineStart && flow === 0;
  return type === "flow-map-start" || type === "flow-seq-start" || type === "comma";
}

/**
 * A block scalar's lines (auto-detected indentation): libyaml refuses a tab among the leading
 * spaces until the first text line sets the indentation, and before that column after it. Its
 * indentation is at least 1, so text from column 0 (a root block scalar, which YAML 1.2 allows)
 * is not the scalar's: what libyaml makes of it is not followed here.
 */
function checkBlockScalar(body: string): void {
  let indent = -1;
  for (const line of body.split("\n")) {
    let column = 0;
    while (line[column] === " ") column++;
    if (line[column] === "\t" && (indent < 0 || column < indent))
      fail("found a tab character where an indentation space is expected");
    if (indent < 0 && column < line.length) indent = column;
  }
  if (indent === 0) throw new UnprovableYaml("block scalar text in column 0");
}

import {
  escapeChar,
  isBreak,
  isPrintable,
  isSimpleKey,
  type Style,
  selectStyle,
} from "./data-yaml-scalar.js";

/** A value as go-yaml's encoder hands it to the emitter: keys ordered, styles asked for. */
export type YamlNode =
  | { kind: "scalar"; text: string; style: Style }
  | { kind: "seq"; items: YamlNode[] }
  | { kind: "map"; entries: Array<[YamlNode, YamlNode]> };

const BEST_WIDTH = 80;
const BEST_INDENT = 2;

/** libyaml's emitter for the events go-yaml sends, written out as recursion. */
export class Emitter {
  private out = "";
  private column = 0;
  private indent = -1;
  private readonly indents: number[] = [];
  private whitespace = true;
  private indention = true;
  private mappingContext = false;
  private simpleKeyContext = false;

  private put(text: string): void {
    this.out += text;
    this.column += [...text].length;
  }

  private putBreak(): void {
    this.out += "\n";
    this.column = 0;
  }

  /** write_break: a line feed as the configured break, any other break character as itself. */
  private writeBreak(c: string): void {
    if (c === "\n") this.putBreak();
    else {
      this.out += c;
      this.column = 0;
    }
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  private popIndent(): void {
    this.indent = this.indents.pop() as number;
  }

  private writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace))
      this.putBreak();
    while (this.column < indent) this.put(" ");
    this.whitespace = true;
    this.indention = true;
  }

  private writeIndicator(text: string, needWs: boolean, isWs: boolean, isIndention: boolean) {
    if (needWs && !this.whitespace) this.put(" ");
    this.put(text);
    this.whitespace = isWs;
    this.indention = this.indention && isIndention;
  }

  /** The implicit document's end (yaml_emitter_emit_document_end): the text so far. */
  end(): string {
    this.writeIndent();
    return this.out;
  }

  node(node: YamlNode, context: { mapping?: boolean; simpleKey?: boolean } = {}): void {
    this.mappingContext = context.mapping ?? false;
    this.simpleKeyContext = context.simpleKey ?? false;
    if (node.kind === "scalar") this.scalar(node.text, node.style);
    else if (node.kind === "seq" && node.items.length > 0) this.blockSequence(node.items);
    else if (node.kind === "map" && node.entries.length > 0) this.blockMapping(node.entries);
    else {
      this.writeIndicator(node.kind === "seq" ? "[" : "{", true, true, false);
      this.writeIndicator(node.kind === "seq" ? "]" : "}", false, false, false);
    }
  }

  private blockSequence(items: YamlNode[]): void {
    this.increaseIndent(false, this.mappingContext && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.writeIndicator("-", true, false, true);
      this.node(item);
    }
    this.popIndent();
  }

  private blockMapping(entries: Array<[YamlNode, YamlNode]>): void {
    this.increaseIndent(false, false);
    for (const [key, value] of entries) {
      this.writeIndent();
      if (key.kind === "scalar" && isSimpleKey(key.text)) {
        this.node(key, { mapping: true, simpleKey: true });
        this.writeIndicator(":", false, false, false);
      } else {
        this.writeIndicator("?", true, false, true);
        this.node(key, { mapping: true });
        this.writeIndent();
        this.writeIndicator(":", true, false, true);
      }
      this.node(value, { mapping: true });
    }
    this.popIndent();
  }

  private scalar(text: string, requested: Style): void {
    const style = selectStyle(text, requested, this.simpleKeyContext);
    this.increaseIndent(true, false);
    const allowBreaks = !this.simpleKeyContext;
    if (style === "plain") this.plain(text, allowBreaks);
    else if (style === "single") this.singleQuoted(text, allowBreaks);
    else if (style === "double") this.doubleQuoted(text, allowBreaks);
    else this.literal(text);
    this.popIndent();
  }

  /** Breaks a line at a space past the width (write_plain_scalar, write_single_quoted_scalar). */
  private foldable(chars: string[], i: number, allowBreaks: boolean, spaces: boolean): boolean {
    return allowBreaks && !spaces && this.column > BEST_WIDTH && chars[i + 1] !== " ";
  }

  private plain(text: string, allowBreaks: boolean): void {
    if (!this.whitespace) this.put(" ");
    this.flowed([...text], allowBreaks, false);
    this.whitespace = false;
    this.indention = false;
  }

  private singleQuoted(text: string, allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    this.flowed([...text], allowBreaks, true);
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  /** The body of a plain or single-quoted scalar: spaces fold, breaks double, `'` doubles. */
  private flowed(chars: string[], allowBreaks: boolean, quoted: boolean): void {
    let spaces = false;
    let breaks = false;
    chars.forEach((c, i) => {
      if (c === " ") {
        const inside = !quoted || (i > 0 && i < chars.length - 1);
        if (inside && this.foldable(chars, i, allowBreaks, spaces)) this.writeIndent();
        else this.put(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === "\n") this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(quoted && c === "'" ? "''" : c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    });
  }

  private doubleQuoted(text: string, allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false);
    const chars = [...text];
    // go-yaml's is_bom looks at the value's first character, not the current one: a value that
    // starts with a BOM has every character escaped.
    const bomFirst = chars[0] === "\uFEFF";
    let spaces = false;
    chars.forEach((c, i) => {
      if (bomFirst || !isPrintable(c) || isBreak(c) || c === '"' || c === "\\") {
        this.put(escapeChar(c));
        spaces = false;
      } else if (c === " ") {
        const fold = allowBreaks && !spaces && this.column > BEST_WIDTH;
        if (fold && i > 0 && i < chars.length - 1) {
          this.writeIndent();
          if (chars[i + 1] === " ") this.put("\\");
        } else this.put(c);
        spaces = true;
      } else {
        this.put(c);
        spaces = false;
      }
    });
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private literal(text: string): void {
    this.writeIndicator("|", true, false, false);
    this.blockHints([...text]);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of text) {
      if (isBreak(c)) {
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(c);
        this.indention = false;
        breaks = false;
      }
    }
  }

  /** write_block_scalar_hints: an indent digit before leading space, `-` or `+` chomping. */
  private blockHints(chars: string[]): void {
    if (chars[0] === " " || isBreak(chars[0] as string))
      this.writeIndicator(String(BEST_INDENT), false, false, false);
    const last = chars.length - 1;
    let chomp = "";
    if (!isBreak(chars[last] as string)) chomp = "-";
    else if (last === 0 || isBreak(chars[last - 1] as string)) chomp = "+";
    if (chomp) this.writeIndicator(chomp, false, false, false);
  }
}

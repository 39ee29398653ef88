import type { Item } from "./text-template-lex.js";
import type { Node } from "./text-template-nodes.js";
import { unquote } from "./text-template-nodes.js";
import { PipelineParser } from "./text-template-pipeline.js";
import { type Shared, shared, unexpected } from "./text-template-tokens.js";

/** Named templates of one parse: the main one ("template"), `define`d and `block` ones. */
export type Templates = Map<string, Node[]>;

/** Parses a template as text/template's Template.Parse does (parse/parse.go); throws on errors. */
export function parseTemplates(text: string): Templates {
  const s = shared(text);
  const main = new Tree(s, "template");
  main.parse();
  main.add();
  return s.trees;
}

type End = { type: "end" } | { type: "else" };

/** One named template's tree: text, actions and the control structures. */
class Tree extends PipelineParser {
  root: Node[] = [];
  private rangeDepth = 0;

  constructor(
    s: Shared,
    private name: string,
  ) {
    super(s);
  }

  /** The top level: text and actions to EOF, `define`s installed aside. */
  parse(): void {
    while (this.peek().type !== "eof") {
      if (this.peek().type === "leftDelim") {
        const delim = this.next();
        if (this.nextNonSpace().type === "define") {
          new Tree(this.s, "definition").parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.type === "end" || n.type === "else") throw new Error(`template: unexpected ${n.type}`);
      this.root.push(n);
    }
  }

  /** parse.Tree.add: a non-empty tree may not replace a non-empty one of the same name. */
  add(): void {
    const existing = this.s.trees.get(this.name);
    if (existing === undefined || isEmptyTree(existing)) this.s.trees.set(this.name, this.root);
    else if (!isEmptyTree(this.root))
      throw new Error(`template: multiple definition of ${this.name}`);
  }

  private parseDefinition(): void {
    const token = this.nextNonSpace();
    if (token.type !== "string" && token.type !== "rawString") unexpected(token, "define clause");
    this.name = unquote(token.value);
    this.expect("rightDelim", "define clause");
    const [list, end] = this.itemList();
    if (end.type !== "end") throw new Error("template: unexpected else in define clause");
    this.root = list;
    this.add();
  }

  itemList(): [Node[], End] {
    const list: Node[] = [];
    while (this.peekNonSpace().type !== "eof") {
      const n = this.textOrAction();
      if (n.type === "end" || n.type === "else") return [list, n];
      list.push(n);
    }
    throw new Error("template: unexpected EOF");
  }

  private textOrAction(): Node | End {
    const token = this.nextNonSpace();
    if (token.type === "text") return { type: "text", text: token.value };
    if (token.type === "leftDelim") return this.action();
    return unexpected(token, "input");
  }

  private action(): Node | End {
    const token = this.nextNonSpace();
    switch (token.type) {
      case "block":
        return this.blockControl();
      case "break":
      case "continue":
        this.expect("rightDelim", token.type);
        if (this.rangeDepth === 0) throw new Error(`template: {{${token.type}}} outside {{range}}`);
        return { type: token.type };
      case "else":
        return this.elseControl();
      case "end":
        this.expect("rightDelim", "end");
        return { type: "end" };
      case "if":
      case "range":
      case "with":
        return this.control(token.type);
      case "template":
        return this.templateControl();
    }
    this.backup();
    return { type: "action", pipe: this.pipeline("command", "rightDelim") };
  }

  private elseControl(): End {
    const peek = this.peekNonSpace();
    // "{{else if …" and "{{else with …" leave the keyword for the enclosing control.
    if (peek.type !== "if" && peek.type !== "with") this.expect("rightDelim", "else");
    return { type: "else" };
  }

  /** if, range, with (parseControl), `else if`/`else with` as a nested control. */
  control(type: "if" | "range" | "with"): Node {
    const mark = this.vars.length;
    this.enter();
    const pipe = this.pipeline(type, "rightDelim");
    if (type === "range") this.rangeDepth++;
    const [list, next] = this.itemList();
    if (type === "range") this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (next.type === "else") {
      const chained = this.peek().type;
      if ((type === "if" || type === "with") && chained === type) {
        this.next();
        elseList = [this.control(type)];
      } else {
        const [otherwise, end] = this.itemList();
        if (end.type !== "end") throw new Error("template: expected end; found else");
        elseList = otherwise;
      }
    }
    this.leave();
    this.vars.length = mark;
    return elseList ? { type, pipe, list, elseList } : { type, pipe, list };
  }

  private blockControl(): Node {
    const token = this.nextNonSpace();
    const name = templateName(token, "block clause");
    const pipe = this.pipeline("block clause", "rightDelim");
    const block = new Tree(this.s, name);
    const [list, end] = block.itemList();
    if (end.type !== "end") throw new Error("template: unexpected else in block clause");
    block.root = list;
    block.add();
    return { type: "template", name, pipe };
  }

  private templateControl(): Node {
    const token = this.nextNonSpace();
    const name = templateName(token, "template clause");
    if (this.nextNonSpace().type === "rightDelim") return { type: "template", name };
    this.backup();
    return { type: "template", name, pipe: this.pipeline("template clause", "rightDelim") };
  }
}

function templateName(token: Item, context: string): string {
  if (token.type !== "string" && token.type !== "rawString") unexpected(token, context);
  return unquote(token.value);
}

/** parse.IsEmptyTree: nothing but space (Go's unicode.IsSpace) and comments. */
function isEmptyTree(nodes: Node[]): boolean {
  return nodes.every((n) => n.type === "text" && /^[\t\n\v\f\r \u0085\p{Z}]*$/u.test(n.text));
}

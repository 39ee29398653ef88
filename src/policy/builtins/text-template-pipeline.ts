import type { ItemType } from "./text-template-lex.js";
import { newNumber, type Operand, type Pipe, unquote } from "./text-template-nodes.js";
import { TokenStream, unexpected } from "./text-template-tokens.js";

/** text/template's builtin functions: the only names a template may call (funcs.go). */
export const FUNCTIONS = new Set(
  "and call html index slice js len not or print printf println urlquery eq ge gt le lt ne".split(
    " ",
  ),
);

/** Pipelines, commands and operands (parse.go pipeline … term), variables in scope checked. */
export class PipelineParser extends TokenStream {
  protected vars = ["$"];

  /** declarations? command ("|" command)* */
  pipeline(context: string, end: ItemType): Pipe {
    const pipe: Pipe = { isAssign: false, decl: [], cmds: [] };
    this.declarations(pipe, context);
    for (;;) {
      const token = this.nextNonSpace();
      if (token.type === end) {
        checkPipeline(pipe, context);
        return pipe;
      }
      if (!OPERAND_START.has(token.type)) unexpected(token, context);
      this.backup();
      pipe.cmds.push(this.command());
    }
  }

  private declarations(pipe: Pipe, context: string): void {
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== "variable") return;
      this.next();
      // In "$x foo" the token after $x decides whether it is declared or used.
      const tokenAfterVariable = this.peek();
      const next = this.peekNonSpace();
      if (next.type === "assign" || next.type === "declare") {
        pipe.isAssign = next.type === "assign";
        this.nextNonSpace();
        pipe.decl.push(v.value);
        this.vars.push(v.value);
        return;
      }
      if (next.type === "char" && next.value === ",") {
        this.nextNonSpace();
        pipe.decl.push(v.value);
        this.vars.push(v.value);
        if (context === "range" && pipe.decl.length < 2) {
          const after = this.peekNonSpace().type;
          if (after === "variable" || after === "rightDelim" || after === "rightParen") continue;
          throw new Error("template: range can only initialize variables");
        }
        throw new Error(`template: too many declarations in ${context}`);
      }
      if (tokenAfterVariable.type === "space") this.backup3(v, tokenAfterVariable);
      else this.backup2(v);
      return;
    }
  }

  /** operand (space operand)*, up to `|`, `}}` or `)`. */
  private command(): Operand[] {
    const args: Operand[] = [];
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) args.push(operand);
      const token = this.next();
      if (token.type === "space") continue;
      if (token.type === "rightDelim" || token.type === "rightParen") this.backup();
      else if (token.type !== "pipe") unexpected(token, "operand");
      break;
    }
    if (args.length === 0) throw new Error("template: empty command");
    return args;
  }

  /** term .Field* */
  private operand(): Operand | undefined {
    const node = this.term();
    if (!node || this.peek().type !== "field") return node;
    const fields: string[] = [];
    while (this.peek().type === "field") fields.push(...this.next().value.slice(1).split("."));
    if (node.type === "field" || node.type === "variable") {
      return { type: node.type, ident: [...node.ident, ...fields] };
    }
    if (["bool", "string", "number", "nil", "dot"].includes(node.type)) {
      throw new Error("template: unexpected . after term");
    }
    return { type: "chain", node, field: fields };
  }

  private term(): Operand | undefined {
    const token = this.nextNonSpace();
    switch (token.type) {
      case "identifier":
        if (!FUNCTIONS.has(token.value))
          throw new Error(`template: function ${token.value} not defined`);
        return { type: "identifier", name: token.value };
      case "dot":
        return { type: "dot" };
      case "nil":
        return { type: "nil" };
      case "variable":
        return this.useVar(token.value);
      case "field":
        return { type: "field", ident: token.value.slice(1).split(".") };
      case "bool":
        return { type: "bool", value: token.value === "true" };
      case "charConstant":
      case "complex":
      case "number":
        return { type: "number", ...newNumber(token.value, token.type) };
      case "leftParen": {
        this.enter();
        const pipe = this.pipeline("parenthesized pipeline", "rightParen");
        this.leave();
        return { type: "pipe", pipe };
      }
      case "string":
      case "rawString":
        return { type: "string", text: unquote(token.value) };
    }
    this.backup();
    return undefined;
  }

  private useVar(name: string): Operand {
    const ident = name.split(".");
    if (!this.vars.includes(ident[0] as string))
      throw new Error(`template: undefined variable ${ident[0]}`);
    return { type: "variable", ident };
  }
}

const OPERAND_START = new Set<ItemType>([
  "bool",
  "charConstant",
  "complex",
  "dot",
  "field",
  "identifier",
  "number",
  "nil",
  "rawString",
  "string",
  "variable",
  "leftParen",
]);

// Only the first command of a pipeline may start with a value that is not executable.
function checkPipeline(pipe: Pipe, context: string): void {
  if (pipe.cmds.length === 0) throw new Error(`template: missing value for ${context}`);
  for (const cmd of pipe.cmds.slice(1)) {
    const first = cmd[0]?.type;
    if (
      first === "bool" ||
      first === "dot" ||
      first === "nil" ||
      first === "number" ||
      first === "string"
    ) {
      throw new Error("template: non executable command in pipeline");
    }
  }
}

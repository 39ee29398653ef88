import { type GoValue, sprint } from "./text-gofmt.js";
import { evalCall } from "./text-template-call.js";
import type { Node, Operand, Pipe } from "./text-template-nodes.js";
import type { Templates } from "./text-template-parse.js";
import {
  concrete,
  type Final,
  INVALID,
  idealConstant,
  isTrue,
  iterations,
  MISSING,
  notAFunction,
  type Param,
  type Value,
  validateType,
} from "./text-template-values.js";

/**
 * Template calls deeper than this fail (Go's maxExecDepth is 100,000, 1,000 on WebAssembly; only a
 * runaway recursion reaches either).
 */
export const MAX_TEMPLATE_DEPTH = 1000;

/** Output longer than this many UTF-16 code units fails the call. */
export const MAX_OUTPUT = 1 << 20;

const BREAK = Symbol("break");
const CONTINUE = Symbol("continue");

/** Executes the template named "template" with `data` as dot and `$` (exec.go). */
export function execute(templates: Templates, data: GoValue): string {
  const root = templates.get("template");
  if (!root) throw new Error("template: incomplete or empty template");
  const state = new State(templates, [{ name: "$", value: data }]);
  state.walkList(data, root);
  return state.out;
}

interface Variable {
  name: string;
  value: Value;
}

/** One execution: the output so far, the variable stack, the depth of template calls. */
export class State {
  out = "";
  private depth = 0;

  constructor(
    private templates: Templates,
    private vars: Variable[],
  ) {}

  write(text: string): void {
    this.out += text;
    if (this.out.length > MAX_OUTPUT) throw new Error("template: output too large");
  }

  walkList(dot: Value, nodes: Node[]): void {
    for (const node of nodes) this.walk(dot, node);
  }

  private walk(dot: Value, node: Node): void {
    switch (node.type) {
      case "text":
        this.write(node.text);
        return;
      case "action": {
        const value = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0)
          this.write(value === INVALID ? "<no value>" : sprint([value]));
        return;
      }
      case "if":
      case "with":
        this.walkIfOrWith(dot, node);
        return;
      case "range":
        this.walkRange(dot, node);
        return;
      case "template":
        this.walkTemplate(dot, node.name, node.pipe);
        return;
      case "break":
        throw BREAK;
      case "continue":
        throw CONTINUE;
    }
  }

  private walkIfOrWith(dot: Value, node: Extract<Node, { type: "if" | "with" }>): void {
    const mark = this.vars.length;
    const value = this.evalPipeline(dot, node.pipe);
    if (isTrue(value)) this.walkList(node.type === "with" ? value : dot, node.list);
    else if (node.elseList) this.walkList(dot, node.elseList);
    this.vars.length = mark;
  }

  private walkRange(dot: Value, node: Extract<Node, { type: "range" }>): void {
    const outer = this.vars.length;
    try {
      const value = this.evalPipeline(dot, node.pipe);
      const mark = this.vars.length;
      let ran = false;
      for (const [index, elem] of iterations(value, node.pipe.decl.length)) {
        ran = true;
        this.oneIteration(node, mark, index, elem);
      }
      if (!ran && node.elseList) this.walkList(dot, node.elseList);
    } catch (e) {
      if (e !== BREAK) throw e;
    } finally {
      this.vars.length = outer;
    }
  }

  private oneIteration(
    node: Extract<Node, { type: "range" }>,
    mark: number,
    index: Value,
    elem: Value,
  ): void {
    const { decl, isAssign } = node.pipe;
    if (decl.length > 0) {
      if (isAssign) this.setVar(decl[0] as string, decl.length > 1 ? index : elem);
      else this.setTopVar(1, elem);
    }
    if (decl.length > 1) {
      if (isAssign) this.setVar(decl[1] as string, elem);
      else this.setTopVar(2, index);
    }
    try {
      this.walkList(elem, node.list);
    } catch (e) {
      if (e !== CONTINUE) throw e;
    } finally {
      this.vars.length = mark;
    }
  }

  private walkTemplate(dot: Value, name: string, pipe: Pipe | undefined): void {
    const root = this.templates.get(name);
    if (!root) throw new Error(`template: no template ${name}`);
    if (this.depth >= MAX_TEMPLATE_DEPTH)
      throw new Error("template: exceeded maximum template depth");
    const value = this.evalPipeline(dot, pipe);
    // No dynamic scoping: the called template sees only `$`, its dot.
    const saved = this.vars;
    this.vars = [{ name: "$", value }];
    this.depth++;
    try {
      this.walkList(value, root);
    } finally {
      this.depth--;
      this.vars = saved;
    }
  }

  evalPipeline(dot: Value, pipe: Pipe | undefined): Value {
    if (!pipe) return INVALID;
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) value = concrete(this.evalCommand(dot, cmd, value));
    const result = value as Value;
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVar(name, result);
      else this.vars.push({ name, value: result });
    }
    return result;
  }

  private evalCommand(dot: Value, cmd: Operand[], final: Final): Value {
    const [first, ...args] = cmd as [Operand, ...Operand[]];
    switch (first.type) {
      case "field":
        return this.evalFieldChain(dot, first.ident, args, final);
      case "chain":
        return this.evalFieldChain(
          this.evalArg(dot, undefined, first.node),
          first.field,
          args,
          final,
        );
      case "identifier":
        return evalCall(this, dot, first.name, args, final);
      case "variable":
        return this.evalVariable(first.ident, args, final);
    }
    notAFunction(args, final);
    switch (first.type) {
      case "pipe":
        return this.evalPipeline(dot, first.pipe);
      case "bool":
        return first.value;
      case "dot":
        return dot;
      case "number":
        return idealConstant(first);
      case "string":
        return first.text;
    }
    throw new Error("template: nil is not a command");
  }

  private evalVariable(ident: string[], args: Operand[], final: Final): Value {
    const value = this.varValue(ident[0] as string);
    if (ident.length === 1) {
      notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(value, ident.slice(1), args, final);
  }

  /**
   * `.X.Y.Z` from `receiver`: a missing key is no value, a field of nil or of a non-map fails.
   * Go's evalFieldChain also takes dot, for a method's arguments; data has no methods, so not here.
   */
  private evalFieldChain(receiver: Value, ident: string[], args: Operand[], final: Final): Value {
    let value = receiver;
    ident.forEach((name, i) => {
      const last = i === ident.length - 1;
      if (value === INVALID) return;
      if (!(value instanceof Map)) throw new Error(`template: can't evaluate field ${name}`);
      if (last && (args.length > 0 || final !== MISSING)) {
        throw new Error(`template: ${name} is not a method but has arguments`);
      }
      value = value.has(name) ? (value.get(name) as GoValue) : INVALID;
    });
    return value;
  }

  /** An argument of a function: `param` is its Go type ("value" for reflect.Value). */
  evalArg(dot: Value, param: Param | undefined, node: Operand): Value {
    switch (node.type) {
      case "dot":
        return validateType(dot, param);
      case "nil":
        if (param === "string") throw new Error("template: cannot assign nil to string");
        return param === "any" ? null : INVALID;
      case "field":
        return validateType(this.evalFieldChain(dot, node.ident, [], MISSING), param);
      case "variable":
        return validateType(this.evalVariable(node.ident, [], MISSING), param);
      case "pipe":
        return validateType(this.evalPipeline(dot, node.pipe), param);
      case "identifier":
        return validateType(evalCall(this, dot, node.name, [], MISSING), param);
      case "chain":
        return validateType(
          this.evalFieldChain(this.evalArg(dot, undefined, node.node), node.field, [], MISSING),
          param,
        );
    }
    if (param === "string") {
      if (node.type === "string") return node.text;
      throw new Error("template: expected string");
    }
    if (node.type === "bool") return node.value;
    if (node.type === "number") return idealConstant(node);
    return node.text;
  }

  private varValue(name: string): Value {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]?.name === name) return (this.vars[i] as Variable).value;
    }
    throw new Error(`template: undefined variable: ${name}`);
  }

  private setVar(name: string, value: Value): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) {
        v.value = value;
        return;
      }
    }
    throw new Error(`template: undefined variable: ${name}`);
  }

  private setTopVar(n: number, value: Value): void {
    (this.vars[this.vars.length - n] as Variable).value = value;
  }
}

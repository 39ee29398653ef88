import { type Item, type ItemType, Lexer } from "./text-template-lex.js";
import type { Node } from "./text-template-nodes.js";

/**
 * Nested actions and parentheses deeper than this are refused (Go allows 10,000 parentheses and
 * any nesting of actions; the JavaScript stack is smaller).
 */
export const MAX_NESTING = 1000;

/** What the trees of one parse share: the lexer, the lookahead, the named trees, the nesting. */
export interface Shared {
  lex: Lexer;
  token: Item[];
  peekCount: number;
  trees: Map<string, Node[]>;
  depth: number;
}

export function shared(text: string): Shared {
  return { lex: new Lexer(text), token: [], peekCount: 0, trees: new Map(), depth: 0 };
}

/** parse.Tree's token handling: three tokens of lookahead, `expect`, the nesting count. */
export class TokenStream {
  constructor(protected s: Shared) {}

  // Three-token lookahead, as parse.Tree has it.
  next(): Item {
    if (this.s.peekCount > 0) this.s.peekCount--;
    else this.s.token[0] = this.s.lex.next();
    return this.s.token[this.s.peekCount] as Item;
  }
  backup(): void {
    this.s.peekCount++;
  }
  backup2(t1: Item): void {
    this.s.token[1] = t1;
    this.s.peekCount = 2;
  }
  backup3(t2: Item, t1: Item): void {
    this.s.token[1] = t1;
    this.s.token[2] = t2;
    this.s.peekCount = 3;
  }
  peek(): Item {
    if (this.s.peekCount > 0) return this.s.token[this.s.peekCount - 1] as Item;
    this.s.peekCount = 1;
    this.s.token[0] = this.s.lex.next();
    return this.s.token[0];
  }
  nextNonSpace(): Item {
    let token: Item;
    do token = this.next();
    while (token.type === "space");
    return token;
  }
  peekNonSpace(): Item {
    const token = this.nextNonSpace();
    this.backup();
    return token;
  }
  expect(type: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.type !== type) unexpected(token, context);
    return token;
  }

  enter(): void {
    if (++this.s.depth > MAX_NESTING) throw new Error("template: nesting too deep");
  }

  leave(): void {
    this.s.depth--;
  }
}

export function unexpected(token: Item, context: string): never {
  if (token.type === "error") throw new Error(`template: ${token.value}`);
  throw new Error(`template: unexpected ${token.value} in ${context}`);
}

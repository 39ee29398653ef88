import type { JsonLimits } from "./json-value.js";

/** What one pass over a JSON text found, for the parser to finish the job. */
export interface JsonScan {
  /** Object members (`"key": value` pairs) in the whole text. */
  members: number;
  /** Numbers whose text a float64 would change, and where they stand (undefined: the root). */
  inexact: Array<{ at: Position | undefined; digits: string }>;
}

/**
 * A place in the document: an array index or an object key (its string token's offsets) inside
 * the container at `parent`. Positions are shared by every inexact number below them, so their
 * count stays linear in the text however deep the numbers are.
 */
export interface Position {
  parent: Position | undefined;
  index: number;
  keyStart: number;
  keyEnd: number;
  object: boolean;
  /** The value found at this position, once resolved. */
  resolved?: unknown;
}

/** One open array or object; `at` is the current element's position, made when first needed. */
interface Frame {
  object: boolean;
  index: number;
  keyStart: number;
  keyEnd: number;
  at: Position | undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * One linear pass over JSON text, without recursion and without building values: enforces the
 * limits and finds the object members and the inexact numbers. It does not validate the syntax
 * (the parser does); on any text it runs in O(length) and never throws anything but the limit
 * errors (SyntaxError naming the limit and a position).
 */
export function scanJson(
  text: string,
  limits: JsonLimits,
  isInexact: (digits: string) => boolean,
): JsonScan {
  const stack: Frame[] = [];
  const scan: JsonScan = { members: 0, inexact: [] };
  let values = 0;
  let expectKey = false;
  const count = (at: number) => {
    if (++values > limits.maxValues) {
      throw new SyntaxError(`JSON has more than ${limits.maxValues} values (at position ${at})`);
    }
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (end - i - 1 > limits.maxStringLength) {
        throw new SyntaxError(
          `JSON string longer than ${limits.maxStringLength} characters (at position ${i})`,
        );
      }
      const top = stack[stack.length - 1];
      if (expectKey && top?.object) {
        top.keyStart = i;
        top.keyEnd = end;
        top.at = undefined;
        expectKey = false;
      } else count(i);
      i = end;
    } else if (c === 0x7b || c === 0x5b) {
      count(i);
      if (stack.length >= limits.maxDepth) {
        throw new SyntaxError(`JSON nested deeper than ${limits.maxDepth} (at position ${i})`);
      }
      stack.push({ object: c === 0x7b, index: 0, keyStart: 0, keyEnd: 0, at: undefined });
      expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (c === COMMA) {
      const top = stack[stack.length - 1];
      if (top?.object) expectKey = true;
      else if (top) {
        top.index++;
        top.at = undefined;
      }
    } else if (c === COLON) {
      scan.members++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      count(i);
      const end = numberEnd(text, i);
      const digits = text.slice(i, end);
      if (isInexact(digits)) scan.inexact.push({ at: positionOf(stack), digits });
      i = end - 1;
    } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
      count(i); // true, false, null: the parser checks the rest of the word
    }
  }
  return scan;
}

/**
 * Offset of the quote that closes the string opened at `start` (or the text's length). Found with
 * `indexOf` (native speed on megabyte strings); a quote preceded by an odd run of backslashes is
 * escaped. Each backslash run is read back once, so the whole search stays linear.
 */
function stringEnd(text: string, start: number): number {
  for (let from = start + 1; ; ) {
    const quote = text.indexOf('"', from);
    if (quote === -1) return text.length;
    let before = quote - 1;
    while (before > start && text.charCodeAt(before) === BACKSLASH) before--;
    if ((quote - 1 - before) % 2 === 0) return quote;
    from = quote + 1;
  }
}

/** Offset just past the number token starting at `start`. */
function numberEnd(text: string, start: number): number {
  let i = start + 1;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const numeric = (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45;
    if (!numeric && c !== 0x2b && c !== 0x2d) break;
  }
  return i;
}

/** The position of the innermost frame's current element, reusing the positions already made. */
function positionOf(stack: Frame[]): Position | undefined {
  let first = stack.length;
  while (first > 0 && stack[first - 1]?.at === undefined) first--;
  for (let i = first; i < stack.length; i++) {
    const frame = stack[i] as Frame;
    const { object, index, keyStart, keyEnd } = frame;
    frame.at = { parent: stack[i - 1]?.at, object, index, keyStart, keyEnd };
  }
  return stack[stack.length - 1]?.at;
}

/**
 * Puts each inexact number back into `root`, the parsed value of `text`, as `toNumber(digits)`.
 * Returns the new root (itself, unless the whole text was one number).
 */
export function restoreInexact<T>(
  text: string,
  root: T,
  inexact: JsonScan["inexact"],
  toNumber: (digits: string) => unknown,
): T {
  let result = root;
  for (const { at, digits } of inexact) {
    if (at === undefined) {
      result = toNumber(digits) as T;
      continue;
    }
    const container = at.parent ? resolve(text, root, at.parent) : root;
    (container as Record<string, unknown>)[keyOf(text, at)] = toNumber(digits);
  }
  return result;
}

/** The value at a position (a container, since numbers stand in it), memoized on the position. */
function resolve(text: string, root: unknown, at: Position): unknown {
  const unresolved: Position[] = [];
  let known: Position | undefined = at;
  for (; known !== undefined && known.resolved === undefined; known = known.parent) {
    unresolved.push(known);
  }
  let container = known ? known.resolved : root;
  for (let i = unresolved.length - 1; i >= 0; i--) {
    const position = unresolved[i] as Position;
    container = (container as Record<string, unknown>)[keyOf(text, position)];
    position.resolved = container;
  }
  return container;
}

function keyOf(text: string, at: Position): string | number {
  if (!at.object) return at.index;
  const token = text.slice(at.keyStart, at.keyEnd + 1);
  return token.includes("\\") ? (JSON.parse(token) as string) : token.slice(1, -1);
}

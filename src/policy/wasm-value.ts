/**
 * Values as they cross the wasm boundary in Rego's value syntax (the module's opa_value_dump and
 * opa_value_parse, wasm/src/json.c): JSON, plus sets as `{a, b}` and `set()`, plus object keys
 * of any type. A dump that holds neither is JSON text, so `readValue` tries JSON.parse first and
 * parses only what that refuses.
 */
import { RegoSet, setOf } from "./builtins/index.js";

/** Deepest nesting `parseValue` reads: the parser recurses, and the host's stack is finite. */
export const MAX_VALUE_DEPTH = 2_048;

/** How sets come out of a parse: `RegoSet`s, or arrays of their members in topdown's order. */
export type SetForm = "sets" | "arrays";

/** A value dump read as JS: see {@link parseValue}; JSON text takes V8's own parser. */
export function readValue(text: string, form: SetForm): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return parseValue(text, form);
  }
}

/**
 * An evaluation's result set as opa_eval's value format writes it: a set (`{{"result": …}}`,
 * `set()`) read as the array of its members, a set in them as its sorted members. An entrypoint
 * has at most one result, so the common text is one JSON member in braces: that takes JSON.parse.
 */
export function readResultSet(text: string): unknown[] {
  if (text === "set()") return [];
  if (text.startsWith("{") && text.endsWith("}")) {
    try {
      return [JSON.parse(text.slice(1, -1))];
    } catch {
      // More than one member, or one with a set or a key that is not a string.
    }
  }
  const members = parseValue(text, "arrays");
  if (!Array.isArray(members)) throw new SyntaxError("a result set is not a set");
  return members;
}

/**
 * Parses Rego value text as opa_value_dump writes it. A key that is not a string becomes its JSON
 * text (a number's own text), as opa_json_dump writes it. Throws on malformed text and on nesting
 * deeper than {@link MAX_VALUE_DEPTH}.
 */
export function parseValue(text: string, form: SetForm): unknown {
  const reader = { text, at: 0, sets: false };
  const value = readTerm(reader, 0);
  skipSpace(reader);
  if (reader.at !== text.length) throw new SyntaxError(`unexpected text at ${reader.at}`);
  return form === "arrays" && reader.sets ? toArrays(value) : value;
}

interface Reader {
  readonly text: string;
  at: number;
  /** Whether a set was read. */
  sets: boolean;
}

function skipSpace(reader: Reader): void {
  while (reader.text.charCodeAt(reader.at) === 0x20) reader.at++;
}

function readTerm(reader: Reader, depth: number): unknown {
  if (depth > MAX_VALUE_DEPTH) throw new RangeError("value nested too deeply");
  skipSpace(reader);
  const char = reader.text[reader.at];
  if (char === '"') return readString(reader);
  if (char === "[") return readArray(reader, depth);
  if (char === "{") return readBraces(reader, depth);
  if (char === "s") {
    literal(reader, "set()");
    reader.sets = true;
    return new RegoSet([]);
  }
  if (char === "n") return literal(reader, "null", null);
  if (char === "t") return literal(reader, "true", true);
  if (char === "f") return literal(reader, "false", false);
  return readNumber(reader);
}

function literal<T>(reader: Reader, word: string, value?: T): T | undefined {
  if (!reader.text.startsWith(word, reader.at))
    throw new SyntaxError(`bad literal at ${reader.at}`);
  reader.at += word.length;
  return value;
}

/** A JSON string: up to the first unescaped quote, then JSON.parse for its escapes. */
function readString(reader: Reader): string {
  const { text } = reader;
  const start = reader.at;
  let at = start + 1;
  while (at < text.length && text[at] !== '"') at += text[at] === "\\" ? 2 : 1;
  if (at >= text.length) throw new SyntaxError("unterminated string");
  reader.at = at + 1;
  return JSON.parse(text.slice(start, reader.at)) as string;
}

const NUMBER_CHARS = /[-+.eE0-9]/;

function numberText(reader: Reader): string {
  const start = reader.at;
  while (reader.at < reader.text.length && NUMBER_CHARS.test(reader.text[reader.at] as string))
    reader.at++;
  if (reader.at === start) throw new SyntaxError(`unexpected text at ${start}`);
  return reader.text.slice(start, reader.at);
}

function readNumber(reader: Reader): number {
  return JSON.parse(numberText(reader)) as number;
}

/** Reads `item`s separated by commas up to `close`; the opening bracket is already read. */
function readItems(reader: Reader, close: string, item: () => void): void {
  skipSpace(reader);
  if (reader.text[reader.at] === close) {
    reader.at++;
    return;
  }
  for (;;) {
    item();
    skipSpace(reader);
    const next = reader.text[reader.at++];
    if (next === close) return;
    if (next !== ",") throw new SyntaxError(`expected , or ${close} at ${reader.at - 1}`);
  }
}

function readArray(reader: Reader, depth: number): unknown[] {
  reader.at++;
  const items: unknown[] = [];
  readItems(reader, "]", () => items.push(readTerm(reader, depth + 1)));
  return items;
}

/** `{` opens an object or a set: a `:` after the first term says which. */
function readBraces(reader: Reader, depth: number): unknown {
  reader.at++;
  skipSpace(reader);
  if (reader.text[reader.at] === "}") {
    reader.at++;
    return {};
  }
  return readObjectOrSet(reader, depth);
}

function readObjectOrSet(reader: Reader, depth: number): unknown {
  let keyAt = reader.at;
  let key = readTerm(reader, depth + 1);
  skipSpace(reader);
  if (reader.text[reader.at] !== ":") return readSet(reader, depth, key);
  const object: Record<string, unknown> = {};
  for (;;) {
    const source = reader.text.slice(keyAt, reader.at).trim();
    expect(reader, ":");
    define(object, keyText(key, source), readTerm(reader, depth + 1));
    skipSpace(reader);
    if (reader.text[reader.at++] === "}") return object;
    if (reader.text[reader.at - 1] !== ",")
      throw new SyntaxError(`expected , or } at ${reader.at - 1}`);
    skipSpace(reader);
    keyAt = reader.at;
    key = readTerm(reader, depth + 1);
    skipSpace(reader);
  }
}

function expect(reader: Reader, char: string): void {
  if (reader.text[reader.at++] !== char)
    throw new SyntaxError(`expected ${char} at ${reader.at - 1}`);
}

function readSet(reader: Reader, depth: number, first: unknown): RegoSet {
  reader.sets = true;
  const members = [first];
  // The first member is read: the list goes on from its separator.
  const next = reader.text[reader.at++];
  if (next === ",") readItems(reader, "}", () => members.push(readTerm(reader, depth + 1)));
  else if (next !== "}") throw new SyntaxError(`expected , or } at ${reader.at - 1}`);
  return setOf(members);
}

/** An object key as opa_json_dump writes one: a string as is, anything else as its JSON text. */
function keyText(key: unknown, source: string): string {
  if (typeof key === "string") return key;
  if (typeof key === "number") return source;
  return JSON.stringify(toArrays(key));
}

/** Sets a key as JSON.parse does: `__proto__` becomes an own property, not the prototype. */
function define(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(object, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  else object[key] = value;
}

/** The value with each set replaced by the array of its members (topdown's JSON of a set). */
function toArrays(value: unknown): unknown {
  if (value instanceof RegoSet) return value.members.map(toArrays);
  if (Array.isArray(value)) return value.map(toArrays);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) define(out, key, toArrays(item));
  return out;
}

/**
 * A builtin's result as Rego value text for opa_value_parse: JSON, with each `RegoSet` as a set.
 * As JSON.stringify: an undefined member of an object is left out, one of an array is null.
 */
export function writeValue(value: unknown): string {
  if (value instanceof RegoSet)
    return value.members.length === 0 ? "set()" : `{${value.members.map(writeValue).join(",")}}`;
  if (Array.isArray(value)) return `[${value.map((item) => writeValue(item ?? null)).join(",")}]`;
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  const entries: string[] = [];
  for (const [key, item] of Object.entries(value))
    if (item !== undefined) entries.push(`${JSON.stringify(key)}:${writeValue(item)}`);
  return `{${entries.join(",")}}`;
}

import canonicalize from "canonicalize";
import { assign } from "./mask-walk.js";

/**
 * RFC 8785 (JCS) canonical JSON, exactly as the `canonicalize` package writes it, in less time
 * (bench/chain.mjs): each object is copied with its members in UTF-16 code unit order (§3.2.3) and the
 * copy is serialized by the engine's own `JSON.stringify`, whose strings and numbers are JCS's
 * (§3.2.2: JCS defines them as ECMAScript's JSON.stringify). What that cannot do exactly falls back
 * to `canonicalize`: an object with a key that may be an array index (which the engine orders
 * first, numerically), and anything not a plain object, array or primitive (`toJSON`, a
 * lossless-json number). Throws as `canonicalize` does: on a lone surrogate (§3.2.2.2), NaN or
 * an infinity.
 */
export function canonicalJson(value: unknown): string {
  const sorted = sortedCopy(value);
  return sorted === FALLBACK ? canonicalOf(value) : checked(JSON.stringify(sorted) ?? "null");
}

/** An object's canonical members in four runs, split where the chain's fields sort. */
export interface CanonicalParts {
  /**
   * The members sorting before `chain_id`, between it and `prev_hash`, between that and `seq`,
   * and after `seq`: each `"key":value,...` without braces, or "".
   */
  runs: [string, string, string, string];
}

/**
 * The JCS members of `body` (an object without `seq`, `chain_id`, `prev_hash` or `hash`), in four
 * runs split at the places those three chain fields sort to, so the chain can make the canonical
 * form and the line it writes from one serialization (chain.ts). Undefined when
 * `body` needs `canonicalize` (see {@link canonicalJson}); throws as it does.
 */
export function canonicalParts(body: Record<string, unknown>): CanonicalParts | undefined {
  const groups: [Record<string, unknown>, ...Record<string, unknown>[]] = [{}, {}, {}, {}];
  for (const key of Object.keys(body).sort()) {
    const member = sortedCopy(body[key]);
    if (member === FALLBACK || mayBeIndex(key)) return undefined;
    const group = key < "chain_id" ? 0 : key < "prev_hash" ? 1 : key < "seq" ? 2 : 3;
    assign(groups[group] as Record<string, unknown>, key, member);
  }
  const runs = groups.map((group) => checked(JSON.stringify(group)).slice(1, -1));
  return { runs: runs as CanonicalParts["runs"] };
}

const FALLBACK: unique symbol = Symbol("fallback");

/**
 * `value` with every object's members in code unit order: a copy of each object that was not
 * (and of each container holding one), the value itself where all was; FALLBACK where that cannot
 * be exact.
 */
function sortedCopy(value: unknown): unknown {
  if (typeof value !== "object" || value === null) {
    // canonicalize refuses these where JSON.stringify writes null.
    if (typeof value === "number" && !Number.isFinite(value))
      throw new Error(Number.isNaN(value) ? "NaN is not allowed" : "Infinity is not allowed");
    return value;
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = sortedCopy(value[i]);
      if (item === FALLBACK) return FALLBACK;
      if (item === value[i]) continue;
      copy ??= value.slice();
      copy[i] = item;
    }
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return FALLBACK;
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return FALLBACK;
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++)
    sorted = (keys[i - 1] as string) < (keys[i] as string);
  if (!sorted) keys.sort();
  let copy: Record<string, unknown> | undefined = sorted ? undefined : {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (mayBeIndex(key)) return FALLBACK;
    const member = sortedCopy(source[key]);
    if (member === FALLBACK) return FALLBACK;
    if (!copy && member !== source[key]) copy = prefix(source, keys, i);
    if (copy) put(copy, key, member);
  }
  return copy ?? source;
}

/** A new object holding `source`'s first `count` members of `keys`. */
function prefix(source: Record<string, unknown>, keys: string[], count: number) {
  const copy: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) put(copy, keys[i] as string, source[keys[i] as string]);
  return copy;
}

/** An own `__proto__` member stays a member (mask-walk's assign), never the prototype. */
function put(copy: Record<string, unknown>, key: string, member: unknown) {
  if (key === "__proto__") assign(copy, key, member);
  else copy[key] = member;
}

/** A key starting with a digit may be an array index, which objects enumerate first. */
const mayBeIndex = (key: string) => {
  const first = key.charCodeAt(0);
  return first >= 48 && first <= 57;
};

/**
 * `JSON.stringify` writes a lone surrogate as the escape `\udXXX`; canonicalize refuses it. A
 * `\u` escape is JSON.stringify's own when an even number of backslashes comes before it
 * (`\\ud800` is an escaped backslash and the text "ud800").
 */
const LONE_SURROGATE = /(?<!\\)(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/;

function checked(text: string): string {
  if (text.includes("\\ud") && LONE_SURROGATE.test(text))
    throw new Error("Lone surrogate is not allowed");
  return text;
}

const canonicalOf = (value: unknown) => canonicalize(value) ?? "null";

import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import { LosslessNumber } from "lossless-json";
import { describe, expect, it } from "vitest";
import { generator } from "../../test/support/random.js";
import { canonicalJson } from "./canonical.js";
import { createChain, eventHash } from "./chain.js";

const random = generator(8785);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

const NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.1,
  1e21,
  1e-7,
  123456789012345680000,
  5e-324,
  Number.MAX_VALUE,
  2 ** 53,
  -(2 ** 53) - 2,
  4.35,
  1 / 3,
  2 ** 53 + 2,
  1e300,
  -1.5e-10,
  333333333.3333333,
];
/** Text pieces JCS treats specially: escapes, controls, astral pairs, code-unit order traps. */
const PIECES = [
  "a",
  "Z",
  "é",
  "€",
  "😀",
  "\u0000",
  "\u001f",
  "\u007f",
  '"',
  "\\",
  "/",
  "\n",
  "\u2028",
  "\uffff",
  "\ud83d\ude00",
  "\\ud800",
  "\\\\ud800",
  "__proto__",
  "1",
  "10",
  "-",
  " ",
  "",
];
const text = () => Array.from({ length: Math.floor(random() * 4) }, () => pick(PIECES)).join("");

function value(depth: number): unknown {
  const roll = random();
  if (depth > 4 || roll < 0.35) return pick([text(), pick(NUMBERS), true, false, null]);
  if (roll < 0.5) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(random() * 6); i > 0; i--) {
    const key = random() < 0.1 ? "__proto__" : text();
    Object.defineProperty(object, key, {
      value: random() < 0.05 ? undefined : value(depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return object;
}

/** canonicalize's result, or the message it throws. */
const reference = (input: unknown) => {
  try {
    return canonicalize(input) ?? "null";
  } catch (error) {
    return `throws ${(error as Error).message}`;
  }
};
const ours = (input: unknown) => {
  try {
    return canonicalJson(input);
  } catch (error) {
    return `throws ${(error as Error).message}`;
  }
};

describe("canonicalJson", () => {
  it("writes what the canonicalize package writes, over 3000 generated values", () => {
    for (let i = 0; i < 3000; i++) {
      const input = value(0);
      expect(ours(input), JSON.stringify(input)).toBe(reference(input));
    }
  });

  it.each([
    ["a lone high surrogate", { a: "x\ud800" }],
    ["a lone low surrogate in a key", { "\udc00": 1 }],
    ["NaN", [Number.NaN]],
    ["an infinity", { n: Number.POSITIVE_INFINITY }],
    ["index-like keys, ordered as strings", { "10": 1, "9": 2, "-1": 3, a: 4 }],
    ["undefined, functions and symbols", { u: undefined, f: () => 1, a: [undefined, Symbol()] }],
    ["an own __proto__ member", JSON.parse('{"__proto__": {"b": 1, "a": 2}, "_": 0}')],
    ["a Date (toJSON)", { when: new Date(0) }],
    ["boxed primitives", { n: Object(1), s: Object("x") }],
    ["a lossless-json number", { big: new LosslessNumber("12345678901234567890") }],
  ])("agrees with canonicalize on %s", (_, input) => {
    expect(ours(input)).toBe(reference(input));
  });
});

describe("the chain's hash", () => {
  it("is SHA-256 over canonicalize's form of the line a verifier reads back", () => {
    const chain = createChain(
      { now: () => new Date(0) },
      { head: { chainId: "c:1", nextSeq: 0, prevHash: null }, link: "none", labels: {}, every: 9 },
    );
    for (let i = 0; i < 500; i++) {
      const body = { decision_id: String(i), input: value(1), result: value(2), zz: text() };
      let line: string;
      try {
        line = chain.append(body);
      } catch {
        expect(reference(body)).toMatch(/^throws /);
        continue;
      }
      const event = JSON.parse(line) as Record<string, unknown>;
      const { hash, ...rest } = event;
      expect(Object.keys(event).slice(0, 3)).toEqual(["seq", "chain_id", "prev_hash"]);
      expect(Object.keys(event).at(-1)).toBe("hash");
      expect(hash).toBe(eventHash(event));
      expect(hash).toBe(createHash("sha256").update(reference(rest)).digest("hex"));
    }
  });
});

import { describe, expect, it } from "vitest";
import { COMPILED_KEYS, createContextSource } from "./context.js";
import { textBuiltins } from "./text.js";

describe("compiled values, kept across evaluations", () => {
  it("computes a key once, whatever evaluation asks for it later", () => {
    const contexts = createContextSource({ nowNs: () => 0n, print: () => {} });
    let computed = 0;
    const compute = () => ({ n: ++computed });
    const first = contexts.current.compiled("k", compute);
    contexts.begin();
    expect(contexts.current.compiled("k", compute)).toBe(first);
    expect(computed).toBe(1);
  });

  it("keeps nothing for a compute that throws, and at most COMPILED_KEYS keys", () => {
    const contexts = createContextSource({ nowNs: () => 0n, print: () => {} });
    const failing = () => {
      throw new Error("bad pattern");
    };
    expect(() => contexts.current.compiled("bad", failing)).toThrow("bad pattern");
    expect(contexts.current.compiled("bad", () => ({ ok: true }))).toEqual({ ok: true });
    const oldest = contexts.current.compiled("key0", () => ({}));
    for (let i = 1; i <= COMPILED_KEYS; i++) contexts.current.compiled(`key${i}`, () => ({}));
    expect(contexts.current.compiled("key0", () => ({}))).not.toBe(oldest);
  });

  it("regex.find_n scans from the start in every evaluation with its cached regex", () => {
    const contexts = createContextSource({ nowNs: () => 0n, print: () => {} });
    const findN = textBuiltins["regex.find_n"] as (...args: unknown[]) => unknown;
    expect(findN(contexts.current, "a+", "xaayaaa", -1)).toEqual(["aa", "aaa"]);
    contexts.begin();
    expect(findN(contexts.current, "a+", "aab", 1)).toEqual(["aa"]);
    expect(findN(contexts.current, "a+", "xaayaaa", -1)).toEqual(["aa", "aaa"]);
  });
});

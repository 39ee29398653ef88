/**
 * Differential checks of host builtins against OPA's topdown evaluator: the same calls, with the
 * same JSON arguments, made through `BUILTINS` in this process (as the evaluation thread makes
 * them: a thrown error is an undefined result) and through `opa eval` (non-strict, as
 * opa-envoy-plugin evaluates). Results compare as JSON with every number as its exact decimal
 * value, so `1`, `1.0` and `1e0` are equal and 2^63 does not round. Tests using this need the
 * real `opa`: name them `*.topdown.test.ts` (`npm run test:unit` leaves them to `npm test`).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "lossless-json";
import { beforeAll, expect, it } from "vitest";
import { createContextSource } from "../../src/policy/builtins/context.js";
import { BUILTINS } from "../../src/policy/builtins/index.js";
import { tool } from "./paths.js";

/** A builtin call: its Rego name and its arguments (JSON values). */
export type Call = [name: string, args: unknown[]];

/** What a call gives: a JSON value with each number as an {@link Exact}, or `UNDEFINED`. */
export const UNDEFINED = "<undefined>";

/**
 * topdown's result for each call, from one `opa eval` run: call i is the rule `r<i>` over
 * `input[i]`, so arguments are values of any type (the type checker sees `any`) and a builtin
 * error leaves only that rule undefined. topdown reads the real clock: calls whose result
 * depends on it (`time.now_ns`, certificate validity) are not for this comparison.
 */
export function topdown(calls: Call[]): unknown[] {
  const dir = mkdtempSync(join(tmpdir(), "oc-topdown-"));
  try {
    const rules = calls.map(([name, args], i) => {
      const operands = args.map((_, j) => `input[${i}][${j}]`).join(", ");
      return `r${i} := ${name}(${operands})`;
    });
    writeFileSync(join(dir, "calls.rego"), `package calls\n\n${rules.join("\n")}\n`);
    writeFileSync(join(dir, "input.json"), JSON.stringify(calls.map(([, args]) => args)));
    const out = execFileSync(
      tool("opa"),
      [
        "eval",
        "-f",
        "raw",
        "-d",
        join(dir, "calls.rego"),
        "-i",
        join(dir, "input.json"),
        "data.calls",
      ],
      { maxBuffer: 256 * 1024 * 1024 },
    ).toString();
    const results = exactJson(out) as Record<string, unknown>;
    return calls.map((_, i) => (`r${i}` in results ? results[`r${i}`] : UNDEFINED));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One test per case: our result for its call equals topdown's, every call of the file in one
 * `opa eval` run. A case is a few words on what it drives, and the call.
 */
export function itMatchesTopdown(cases: ReadonlyArray<readonly [what: string, call: Call]>): void {
  let want: unknown[];
  beforeAll(() => {
    want = topdown(cases.map(([, call]) => call));
  });
  it.each(cases.map(([what, [name, args]], i) => [what, name, JSON.stringify(args), i] as const))(
    "%s: %s(%s) is topdown's",
    (_what, _name, _args, i) =>
      expect(ours((cases[i] as (typeof cases)[number])[1])).toEqual(want[i]),
  );
}

/** Our result for one call, as the evaluation thread gets it back (see the module comment). */
export function ours(call: Call, nowNs = 0n): unknown {
  const [name, args] = call;
  const builtin = BUILTINS[name];
  if (!builtin) throw new Error(`no host builtin ${name}`);
  const context = createContextSource({ nowNs: () => nowNs, print: () => {} }).current;
  let result: unknown;
  try {
    result = builtin(context, ...args);
  } catch {
    return UNDEFINED;
  }
  if (result === undefined) return UNDEFINED;
  const text =
    result instanceof ArrayBuffer ? new TextDecoder().decode(result) : JSON.stringify(result);
  return exactJson(text);
}

/** A JSON number as its exact value in canonical decimal form (never equal to a string). */
export interface Exact {
  number: string;
}

/** JSON text parsed with every number as an {@link Exact}. */
export function exactJson(text: string): unknown {
  return parse(text, null, (digits): Exact => ({ number: canonicalNumber(digits) }));
}

/** `-1.50e2` → "-150", `0.000` → "0", `1e-3` → "0.001": one spelling per value. */
function canonicalNumber(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) throw new SyntaxError(`not a JSON number: ${text}`);
  const [, sign = "", whole = "", fraction = "", exponent = "0"] = match;
  let digits = whole + fraction;
  let point = whole.length + Number(exponent);
  if (point < 0) {
    digits = "0".repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += "0".repeat(point - digits.length);
  const integer = digits.slice(0, point).replace(/^0+(?=\d)/, "") || "0";
  const decimals = digits.slice(point).replace(/0+$/, "");
  const value = decimals ? `${integer}.${decimals}` : integer;
  return value === "0" ? "0" : sign + value;
}

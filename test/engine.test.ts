/**
 * The engine's byte handling: inputs and modules that are views into a larger buffer (Node's
 * Buffer pool gives every small Buffer one) reach the evaluation thread and the compiler as
 * exactly their own bytes.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loadWasmPolicy, type PolicyEngine, readBundle } from "../src/policy/index.js";
import { buildPolicy, useEvaluationPool } from "./support/bundles.js";

const ECHO = `package envoy.authz
import rego.v1
allow := input
`;

const pool = useEvaluationPool();
let engine: PolicyEngine;

beforeAll(async () => {
  engine = await loadWasmPolicy(
    await readBundle(await buildPolicy(ECHO, {})),
    { decision: "envoy/authz/allow" },
    pool(),
  );
});

describe("input text", () => {
  it.each([
    ["ASCII", '{"a":[1,"two"]}'],
    ["1, 2, 3 and 4 UTF-8 bytes a character", '{"a":"x é ✓ 😀"}'],
    // Past the module's initial memory, and each character past one byte: grown as it is written.
    ["1 MiB of 3-byte characters", JSON.stringify({ a: "✓".repeat(1 << 20) })],
  ])("%s reaches the policy intact", async (_, text) => {
    const evaluation = await engine.evaluate(text);
    expect(evaluation).toEqual({ defined: true, value: JSON.parse(text) });
  });
});

describe("bytes that are views into a larger buffer", () => {
  it("a module that is a view is compiled from its own bytes", async () => {
    const bundle = await readBundle(await buildPolicy(ECHO, {}));
    const inside = Buffer.concat([Buffer.from("prefix"), bundle.wasm, Buffer.from("suffix")]);
    const view = inside.subarray(6, 6 + bundle.wasm.byteLength);
    const second = await loadWasmPolicy(
      { ...bundle, wasm: view },
      { decision: "envoy/authz/allow" },
      pool(),
    );
    expect(await second.evaluate('{"b":2}')).toEqual({
      defined: true,
      value: { b: 2 },
    });
    second.close();
  });
});

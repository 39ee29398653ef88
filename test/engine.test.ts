/**
 * The engine's byte handling: inputs and modules that are views into a larger buffer (Node's
 * Buffer pool gives every small Buffer one) reach the evaluation thread and the compiler as
 * exactly their own bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createEvaluationPool,
  type EvaluationPool,
  loadWasmPolicy,
  type PolicyEngine,
  readBundle,
} from "../src/policy/index.js";
import { buildPolicy } from "./support/bundles.js";

const ECHO = `package envoy.authz
import rego.v1
allow := input
`;

let pool: EvaluationPool;
let engine: PolicyEngine;

beforeAll(async () => {
  pool = createEvaluationPool(
    { threads: 1, timeoutMs: 10_000, maxMemoryPages: 512 },
    { onError: () => {}, onPrint: () => {} },
  );
  engine = await loadWasmPolicy(
    await readBundle(await buildPolicy(ECHO, {})),
    { decision: "envoy/authz/allow" },
    pool,
  );
});

afterAll(() => pool?.close());

/** A Buffer whose memory is a slice of Node's shared pool (what small Buffers are). */
function pooled(text: string): Buffer {
  Buffer.from("something else first, so the pool slot is not at offset 0");
  const bytes = Buffer.from(text);
  expect(bytes.buffer.byteLength).toBeGreaterThan(bytes.byteLength);
  return bytes;
}

describe("bytes that are views into a larger buffer", () => {
  it("an input Buffer from the pool is evaluated as its own bytes only", async () => {
    const evaluation = await engine.evaluate(pooled('{"a":[1,"two"]}'));
    expect(evaluation).toEqual({ defined: true, value: { a: [1, "two"] } });
  });

  it("a module that is a view is compiled from its own bytes", async () => {
    const bundle = await readBundle(await buildPolicy(ECHO, {}));
    const inside = Buffer.concat([Buffer.from("prefix"), bundle.wasm, Buffer.from("suffix")]);
    const view = inside.subarray(6, 6 + bundle.wasm.byteLength);
    const second = await loadWasmPolicy(
      { ...bundle, wasm: view },
      { decision: "envoy/authz/allow" },
      pool,
    );
    expect(await second.evaluate(new TextEncoder().encode('{"b":2}'))).toEqual({
      defined: true,
      value: { b: 2 },
    });
    second.close();
  });
});

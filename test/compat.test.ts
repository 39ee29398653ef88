/**
 * What still differs from opa-envoy-plugin at the Rego level, one reproducer per difference the
 * README's compatibility section lists: each rule below is built by the real `opa build -t wasm`,
 * evaluated by our engine (the evaluation threads `serve` uses, our builtins) and by topdown
 * (`opa eval`), and the test pins both answers. A difference that goes away fails here, and the
 * README must say so.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createEvaluationPool, loadWasmPolicy, readBundle } from "../src/policy/index.js";
import { buildPolicy } from "./support/bundles.js";
import { tool } from "./support/paths.js";
import { run } from "./support/processes.js";

const POLICY = `package compat
import rego.v1

# wasm's own json.marshal: keys in insertion order, <>& not escaped as Go's encoder does.
marshal := json.marshal({"b": 1, "a": "<&>"})

# Integers beyond 64 bits: wasm numbers are float64 past 2^53 (opa#3711).
big := 18446744073709551616 + 1

# strings.render_template gets a set among its variables as an array (topdown refuses it).
template_set := strings.render_template("{{.s}}", {"s": {1}})

# No longer differ: sets cross to host builtins and out of the decision as sets.
set_printed := sprintf("%v %v %v", [{2, 1}, set(), [{"b": {3}}]])

subset_of_sets := object.subset({1, 2, 3}, {3, 1})

set_in_result := {"zeta", "alpha", "mid"}

merged_is_a_set := net.cidr_merge(["10.0.0.0/24", "10.0.1.0/24"]) == {"10.0.0.0/23"}

expanded_union := net.cidr_expand("10.0.0.0/31") | {"10.0.0.1", "10.0.0.2"}

# Host regex builtins translate Go (RE2) syntax to JavaScript; inner flag groups are refused.
inner_flags := regex.replace("aBc", "a(?i:b)c", "x")

# net.cidr_expand refuses blocks of more than 65,536 addresses (topdown expands them).
expanded := count(net.cidr_expand("10.0.0.0/15"))
`;

let ours: Record<string, unknown>;
/** topdown's answer as `opa eval -f raw` prints it (text: its integers are exact). */
let topdownText: string;
let topdown: Record<string, unknown>;

beforeAll(async () => {
  const bundlePath = await buildPolicy(POLICY, {}, { entrypoint: "compat" });
  const pool = createEvaluationPool(
    { threads: 1, timeoutMs: 10_000, maxMemoryPages: 512 },
    { onError: () => {}, onPrint: () => {} },
  );
  try {
    const engine = await loadWasmPolicy(await readBundle(bundlePath), { decision: "compat" }, pool);
    const evaluation = await engine.evaluate("{}");
    if (!evaluation.defined) throw new Error("data.compat is undefined in the wasm engine");
    ours = evaluation.value as typeof ours;
  } finally {
    pool.close();
  }
  const dir = await mkdtemp(join(tmpdir(), "oc-compat-"));
  await writeFile(join(dir, "compat.rego"), POLICY);
  topdownText = (
    await run(tool("opa"), ["eval", "-f", "raw", "-d", join(dir, "compat.rego"), "data.compat"])
  ).stdout;
  topdown = JSON.parse(topdownText) as typeof topdown;
}, 60_000);

describe("differences from topdown that the README lists", () => {
  it("wasm's own json.marshal keeps insertion order and does not escape <>&", () => {
    expect(topdown.marshal).toBe('{"a":"\\u003c\\u0026\\u003e","b":1}');
    expect(ours.marshal).toBe('{"b":1,"a":"<&>"}');
  });

  it("integers beyond 64 bits lose precision", () => {
    expect(topdownText).toContain('"big":18446744073709551617');
    expect(ours.big).toBe(2 ** 64);
  });

  it("strings.render_template renders a set among its variables, which topdown refuses", () => {
    expect(topdown).not.toHaveProperty("template_set");
    expect(ours.template_set).toBe("[1]");
  });

  it("an inner regex flag group in a host regex builtin is undefined", () => {
    expect(topdown.inner_flags).toBe("x");
    expect(ours).not.toHaveProperty("inner_flags");
  });

  it("net.cidr_expand refuses more than 65,536 addresses", () => {
    expect(topdown.expanded).toBe(131_072);
    expect(ours).not.toHaveProperty("expanded");
  });
});

describe("what no longer differs from topdown", () => {
  it("sprintf prints a set as Rego does", () => {
    expect(topdown.set_printed).toBe('{1, 2} set() [{"b": {3}}]');
    expect(ours.set_printed).toBe(topdown.set_printed);
  });

  it("host builtins take sets as sets", () => {
    expect(topdown.subset_of_sets).toBe(true);
    expect(ours.subset_of_sets).toBe(true);
  });

  it("host builtins give sets back as sets", () => {
    expect(topdown.merged_is_a_set).toBe(true);
    expect(ours.merged_is_a_set).toBe(true);
    expect(topdown.expanded_union).toEqual(["10.0.0.0", "10.0.0.1", "10.0.0.2"]);
    expect(ours.expanded_union).toEqual(topdown.expanded_union);
  });

  it("a set in a decision is listed sorted, as topdown's JSON lists it", () => {
    expect(topdown.set_in_result).toEqual(["alpha", "mid", "zeta"]);
    expect(ours.set_in_result).toEqual(topdown.set_in_result);
  });
});

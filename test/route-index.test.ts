/**
 * The route index decides as trying every route did: the shipped policy, built as it ships
 * (scripts/build-policy, its routes indexed), against the policy before the index
 * (test/fixtures/route-scan), both compiled by the real `opa build -t wasm` and evaluated by our
 * engine, over the shipped routes and generated tables that overlap on purpose. Every route of a
 * generated table has a scope of its own, so equal reasons mean the same route won.
 */

import { readdirSync, readFileSync } from "node:fs";
import { copyFile, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadWasmPolicy, type PolicyEngine, readBundle } from "../src/policy/index.js";
import { useEvaluationPool } from "./support/bundles.js";
import { ROOT } from "./support/paths.js";
import { buildBundle, buildIndexedBundle } from "./support/processes.js";
import {
  CALLERS,
  input,
  type Route,
  type RouteInput,
  randomRoutes,
  requestsFor,
} from "./support/route-tables.js";

const SHIPPED = JSON.parse(readFileSync(join(ROOT, "policies/data.json"), "utf8"));
/** The shipped policy's Rego files (authz.rego and the modules of its package), tests left out. */
const SHIPPED_POLICIES = readdirSync(join(ROOT, "policies"))
  .filter((name) => name.endsWith(".rego") && !name.endsWith("_test.rego"))
  .map((name) => join(ROOT, "policies", name));
const FEW_NAMES = ["a", "b", "c", "x", "y"];
const MANY_NAMES = Array.from({ length: 200 }, (_, n) => `r${n}`);

const pool = useEvaluationPool();

/** Both policies over `routes` (the shipped data otherwise), built and loaded. */
async function policiesFor(routes: unknown[]) {
  const data = JSON.stringify({ openclaw: { ...SHIPPED.openclaw, routes } });
  const load = async (policies: string[], build: (dir: string) => Promise<string>) => {
    const dir = await mkdtemp(join(tmpdir(), "oc-routes-"));
    for (const policy of policies) await copyFile(policy, join(dir, basename(policy)));
    await writeFile(join(dir, "data.json"), data);
    const bundle = await readBundle(await build(dir));
    const engine = await loadWasmPolicy(bundle, { decision: "envoy/authz/allow" }, pool());
    return { engine, data: JSON.parse(bundle.data) };
  };
  const scan = await load([join(ROOT, "test/fixtures/route-scan/authz.rego")], (dir) =>
    buildBundle(dir, "envoy/authz/allow"),
  );
  const indexed = await load(SHIPPED_POLICIES, buildIndexedBundle);
  return { scan: scan.engine, indexed: indexed.engine, indexedData: indexed.data };
}

/** Each input's decision from both engines: the inputs whose decisions differ, and every reason. */
async function compare(scan: PolicyEngine, indexed: PolicyEngine, inputs: RouteInput[]) {
  const differences: unknown[] = [];
  const reasons: string[] = [];
  for (const document of inputs) {
    const text = JSON.stringify(document);
    const [before, after] = await Promise.all([scan.evaluate(text), indexed.evaluate(text)]);
    if (JSON.stringify(before) !== JSON.stringify(after))
      differences.push({ input: document, before, after });
    reasons.push(before.defined ? String((before.value as { reason?: unknown }).reason) : "");
  }
  return { differences, reasons };
}

/** The positions of the routes that won, from reasons naming a `route:<position>` scope. */
const positions = (reasons: string[]) =>
  reasons.flatMap((reason) => /route:(\d+)/.exec(reason)?.slice(1).map(Number) ?? []);

describe("the route index against trying every route", () => {
  it("decides every request to the shipped routes alike", async () => {
    // Without `mcp: true` (the MCP rules' flag, which the policy before the index lacks), an MCP
    // route is a route like any other; the MCP rules have their own tests (policies/mcp_test.rego).
    const routes = SHIPPED.openclaw.routes.map(
      ({ mcp: _, ...route }: Route & { mcp?: boolean }) => route,
    );
    const { scan, indexed, indexedData } = await policiesFor(routes);
    expect(indexedData.openclaw.route_index.route_count).toBe(routes.length);
    const inputs = routes.flatMap((route: Route) =>
      ["GET", "POST", "PATCH", "PUT", "DELETE"].flatMap((method) =>
        ["acme", "globex"].flatMap((tenant) => {
          const segments = String(route.path)
            .slice(1)
            .split("/")
            .flatMap((p) => (p === "*" ? [tenant] : p === "**" ? ["x", "y"] : [p]));
          return CALLERS.flatMap((caller) => [
            input(method, segments, caller),
            input(method, segments.slice(0, -1), caller),
          ]);
        }),
      ),
    );
    const { differences, reasons } = await compare(scan, indexed, inputs);
    expect(differences).toEqual([]);
    expect(inputs.length).toBeGreaterThan(1000);
    for (const reason of ["public route", "granted", "missing scope", "no route for", "tenant"])
      expect(reasons.some((r) => r.includes(reason))).toBe(true);
  });

  it.each([
    ["40 routes of 5 segment names", 101, 40, FEW_NAMES, 3000],
    ["300 routes of 5 segment names", 202, 300, FEW_NAMES, 3000],
    ["2,000 routes of 200 segment names", 303, 2000, MANY_NAMES, 1500],
  ])("decides generated requests to %s alike", async (_, seed, size, names, count) => {
    const routes = randomRoutes(seed, size, names);
    const { scan, indexed, indexedData } = await policiesFor(routes);
    expect(indexedData.openclaw.route_index.route_count).toBe(routes.length);
    const { differences, reasons } = await compare(
      scan,
      indexed,
      requestsFor(seed + 1, routes, count, names),
    );
    expect(differences).toEqual([]);
    // Requests found routes all through the table, late ones included, and missed some.
    const won = positions(reasons);

    expect(new Set(won).size).toBeGreaterThan(size / 10);
    expect(Math.max(...won)).toBeGreaterThan(size * 0.8);
    expect(reasons.filter((r) => r.startsWith("no route for")).length).toBeGreaterThan(count / 50);
    expect(reasons.filter((r) => r === "public route").length).toBeGreaterThan(count / 50);
  });
});

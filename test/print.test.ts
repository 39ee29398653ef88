/**
 * Rego print() (compiled with `opa build --wasm-include-print`) goes to the operational log on
 * stderr with the decision id, never to stdout where the decision log is.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { checkClient } from "./support/client.js";
import { tool } from "./support/paths.js";
import { run, startSidecar } from "./support/processes.js";
import { until } from "./support/wait.js";

const POLICY = `package envoy.authz

import rego.v1

allow if {
  print("path is", input.parsed_path, {"k": 1, "j": [1, 2]}, "missing:", input.nope)
  true
}
`;

it("print() lines reach stderr with their decision id, and stdout only holds decisions", async () => {
  const dir = await mkdtemp(join(tmpdir(), "oc-print-"));
  await writeFile(join(dir, "policy.rego"), POLICY);
  const bundle = join(dir, "bundle.tar.gz");
  await run(tool("opa"), [
    "build",
    "-t",
    "wasm",
    "--wasm-include-print",
    "-e",
    "envoy/authz/allow",
    "-o",
    bundle,
    join(dir, "policy.rego"),
  ]);
  const sidecar = await startSidecar({ policy: { bundle }, decisionLog: { console: true } });
  const client = checkClient(sidecar.grpc);
  const result = await client.check({
    attributes: { request: { http: { method: "GET", path: "/a/b" } } },
  });
  client.close();
  const decisionId = result.ok
    ? (result.response.dynamicMetadata as { decision_id: string }).decision_id
    : undefined;
  const printed = () =>
    sidecar.stderr.map((line) => JSON.parse(line)).find((entry) => entry.msg === "print");
  await until(() => printed() !== undefined, 5_000);
  expect(await sidecar.stop()).toBe(0);
  expect(printed()).toMatchObject({
    level: 30,
    decision_id: decisionId,
    // As topdown prints it: opa eval of the same print() call.
    print: 'path is ["a", "b"] {"j": [1, 2], "k": 1} missing: <undefined>',
  });
  expect(sidecar.stdout.length).toBeGreaterThan(0);
  // Only decision events and the chain's control events (`kind`), never a print line.
  for (const line of sidecar.stdout)
    expect(Object.keys(JSON.parse(line))).toEqual(
      expect.arrayContaining([JSON.parse(line).kind ? "kind" : "decision_id"]),
    );
  expect(sidecar.stdout.join("\n")).not.toContain("path is");
});

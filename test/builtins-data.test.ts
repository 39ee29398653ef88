/**
 * The data family of host builtins end to end: a policy built by the real `opa build -t wasm`
 * calls them inside the real sidecar, and the dynamic_metadata of the CheckResponse holds what
 * topdown (`opa eval` over the same Rego) computes for each; opa.runtime() gives this sidecar's
 * documented object. yaml.*, json.is_valid and regex.split are ours, not the opa-wasm SDK's.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPolicy } from "./support/bundles.js";
import { checkClient } from "./support/client.js";
import { tool } from "./support/paths.js";
import { run, type Sidecar, startSidecar } from "./support/processes.js";

const POLICY = `package envoy.authz

import rego.v1

path := input.attributes.request.http.path

results := {
  "subset": object.subset({"a": {"b": [1, 2, 3]}, "c": 1}, {"a": {"b": [2, 3]}}),
  "patch": json.patch({"a": [1]}, [{"op": "add", "path": "/a/-", "value": path}]),
  "marshal": json.marshal_with_options({"p": path, "n": [1, {}]}, {"indent": " "}),
  "schema": json.match_schema({"a": 1}, {"properties": {"a": {"type": "string"}}}),
  "schema_ok": json.verify_schema({"type": "object"}),
  "schema_bad": json.verify_schema({"type": "unknown_type"}),
  "yaml": yaml.unmarshal(concat("", ["a: yes\\nb: 012\\nc: ", path])),
  "yaml_valid": [yaml.is_valid(input.attributes.request.http), yaml.is_valid("a: 1\\na: 2")],
  "yaml_out": yaml.marshal({"on": path, "n": [1.5, "yes"]}),
  "json_valid": json.is_valid(input.attributes.request.http),
  "split": regex.split("a(b)", "xabyabz"),
  "query": urlquery.decode_object(split(path, "?")[1]),
  "encoded": urlquery.encode_object({"q": "a b", "r": ["1", "2"]}),
  "uri": uri.parse(concat("", ["https://example.com:8443", path])),
  "uri_valid": uri.is_valid("http://[::1]:80/"),
  "merged": net.cidr_merge(["10.0.0.0/24", "10.0.1.0/24", "192.168.0.1"]),
  "expanded": net.cidr_expand("10.1.2.0/30"),
  "matches": net.cidr_contains_matches({"lan": "10.0.0.0/8"}, "10.9.9.9"),
  "paths": graph.reachable_paths({"a": ["b"], "b": ["c"], "c": []}, ["a"]),
  "signed": providers.aws.sign_req(
    {"method": "GET", "url": concat("", ["https://s3.amazonaws.com", split(path, "?")[0]])},
    {"aws_access_key": "AK", "aws_secret_access_key": "SK", "aws_service": "s3", "aws_region": "us-east-1"},
    1700000000000000000,
  ),
}

allow := {"allowed": true, "dynamic_metadata": object.union(results, {"runtime": opa.runtime()})}
`;

const PATH = "/files/a%20b?x=1&x=2&y=%2F";

let sidecar: Sidecar;
let client: ReturnType<typeof checkClient>;
let topdown: unknown;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "oc-data-builtins-"));
  const rego = join(dir, "policy.rego");
  await writeFile(rego, POLICY);
  await writeFile(
    join(dir, "input.json"),
    JSON.stringify({ attributes: { request: { http: { path: PATH } } } }),
  );
  const { stdout } = await run(tool("opa"), [
    "eval",
    "-f",
    "json",
    "-d",
    rego,
    "-i",
    join(dir, "input.json"),
    "data.envoy.authz.results",
  ]);
  topdown = (JSON.parse(stdout) as { result: [{ expressions: [{ value: unknown }] }] }).result[0]
    .expressions[0].value;
  const bundle = await buildPolicy(POLICY, {});
  // A generous deadline: the first evaluation compiles its JSON schema, on a shared CI machine.
  sidecar = await startSidecar({
    policy: { bundle, evaluationTimeout: "10s" },
    decisionLog: { console: false },
  });
  client = checkClient(sidecar.grpc);
});

afterAll(async () => {
  client?.close();
  await sidecar?.stop();
});

describe("data builtins in the sidecar", () => {
  it("give the policy what topdown gives, and opa.runtime() the sidecar's version", async () => {
    const result = await client.check({
      attributes: { request: { http: { method: "GET", path: PATH, headers: {} } } },
    });
    expect(result).toMatchObject({ ok: true, response: { okResponse: {} } });
    if (!result.ok) throw new Error(result.details);
    const metadata = result.response.dynamicMetadata as Record<string, unknown>;
    const { decision_id: _, runtime, ...results } = metadata;
    expect(results).toEqual(topdown);
    const version = (JSON.parse(await readFile("package.json", "utf8")) as { version: string })
      .version;
    expect(runtime).toEqual({ env: {}, version, commit: "" });
  });
});

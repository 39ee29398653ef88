/**
 * The text family end to end: a policy calling them, built by the real `opa`, served by the real
 * sidecar; its dynamic_metadata must equal what `opa eval` (topdown) computes for the same policy.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPolicy } from "./support/bundles.js";
import { checkClient } from "./support/client.js";
import { tool } from "./support/paths.js";
import { run, type Sidecar, startSidecar } from "./support/processes.js";

const POLICY = `package envoy.authz

import rego.v1

results := {
  "prefix": strings.any_prefix_match(input.attributes.request.http.path, ["/api", "/x"]),
  "count": strings.count("cheese", "e"),
  "template": strings.render_template("Hi {{.name}}{{if .admin}}!{{end}}", {"name": "Bob", "admin": true}),
  "indexes": indexof_n("dog cat dog", "dog"),
  "sprintf": sprintf("%s %d %05.1f %x %q %v", ["a", 42, 3.14159, 255, "q", [1, "b"]]),
  "quote": glob.quote_meta("*.example.com"),
  "find": regex.find_n("(?P<n>[0-9]+)", "a1b22c333", -1),
  "replace": regex.replace("foo bar", "(\\\\w+) (\\\\w+)", "$2 $1"),
  "template_match": regex.template_match("urn:{[a-z]+}:x", "urn:abc:x", "{", "}"),
  "globs": regex.globs_match("a.*", "ab+c"),
  "units": units.parse("1.5Ki"),
  "milli": units.parse("250m"),
  "bytes": units.parse_bytes("10KiB"),
  "hex": hex.encode("hé"),
  "unhex": hex.decode("6869"),
  "b64": base64url.encode_no_pad("<<???>>"),
  "uuid": uuid.parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8").variant,
  "uuid_memo": uuid.rfc4122("k") == uuid.rfc4122("k"),
  "rand_memo": rand.intn("k", 1000) == rand.intn("k", 1000),
  "semver": semver.compare("v1.2.3", "1.10.0"),
  "semver_valid": semver.is_valid("1.2.3-rc.1+b"),
  "range": numbers.range_step(0, 10, 4),
  "bad_regex": bad_regex,
}

# Go refuses look-aheads: a builtin error, so the body is undefined (non-strict).
default bad_regex := "undefined"

bad_regex := "defined" if regex.find_n("(?=a)", "a", -1)

allow := {"allowed": true, "dynamic_metadata": results}
`;

const request = {
  attributes: { request: { http: { method: "GET", path: "/api/v1" } } },
};

describe("text builtins through the sidecar", () => {
  let sidecar: Sidecar;
  let client: ReturnType<typeof checkClient>;
  let expected: Record<string, unknown>;
  beforeAll(async () => {
    const bundle = await buildPolicy(POLICY, {});
    const dir = await mkdtemp(join(tmpdir(), "oc-text-"));
    await writeFile(join(dir, "policy.rego"), POLICY);
    await writeFile(join(dir, "input.json"), JSON.stringify(request));
    const { stdout } = await run(tool("opa"), [
      "eval",
      "-f",
      "json",
      "-d",
      join(dir, "policy.rego"),
      "-i",
      join(dir, "input.json"),
      "data.envoy.authz.results",
    ]);
    expected = JSON.parse(stdout).result[0].expressions[0].value;
    sidecar = await startSidecar({
      policy: { bundle },
      cache: { enabled: false },
      decisionLog: { console: false },
    });
    client = checkClient(sidecar.grpc);
  });
  afterAll(async () => {
    client?.close();
    expect(await sidecar?.stop()).toBe(0);
  });

  it("answers allowed with the results topdown computes", async () => {
    const result = await client.check(request);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.response.status).toEqual({});
    const { decision_id: _, ...metadata } = result.response.dynamicMetadata as Record<
      string,
      unknown
    >;
    expect(expected.bad_regex).toBe("undefined");
    expect(expected.sprintf).toBe('a 42 003.1 ff "q" [1, "b"]');
    expect(metadata).toEqual(expected);
  });
});

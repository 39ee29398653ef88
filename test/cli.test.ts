/** The `openclaw-authz` command line: exit codes, output, and one pipeline shared with `serve`. */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { checkClient } from "./support/client.js";
import { built, ROOT } from "./support/paths.js";
import { run, type Sidecar, startSidecar } from "./support/processes.js";

const MAIN = built("dist/main.js");
const BUNDLE = built("build/policy/bundle.tar.gz");

let dir: string;
let config: string;

async function cli(args: string[], stdin?: string) {
  const child = run("node", [MAIN, ...args], { cwd: ROOT });
  if (stdin !== undefined) {
    child.child.stdin?.end(stdin);
  }
  return child.then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
}

async function requestFile(name: string, request: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(request));
  return path;
}

const publicRead = {
  attributes: { request: { http: { method: "GET", path: "/api/v1/public/docs" } } },
};
const protectedRead = {
  attributes: { request: { http: { method: "GET", path: "/api/v1/tenants/acme/tickets/1" } } },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "oc-cli-"));
  config = join(dir, "config.yaml");
  await writeFile(config, stringify({ policy: { bundle: BUNDLE } }));
});

describe("openclaw-authz", () => {
  it("--version and --help exit 0", async () => {
    const version = await cli(["--version"]);
    expect(version).toMatchObject({ code: 0, stdout: "0.1.0\n" });
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("openclaw-authz <command>");
  });

  it("usage errors exit 2, saying what was wrong", async () => {
    expect(await cli([])).toMatchObject({
      code: 2,
      stdout: expect.stringContaining("Usage: openclaw-authz <command>"),
    });
    expect(await cli(["frobnicate"])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^openclaw-authz: unknown command or arguments: frobnicate\n/),
    });
    expect(await cli(["serve", "--bogus"])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^openclaw-authz: Unknown option '--bogus'/),
    });
  });

  it("check prints the decision, the CheckResponse and the identity; exit 0 when allowed", async () => {
    const result = await cli([
      "check",
      "--config",
      config,
      await requestFile("public.json", publicRead),
    ]);
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.decision).toMatchObject({ allowed: true, reason: "public route" });
    expect(output.response).toMatchObject({
      status: { code: 0 },
      okResponse: {},
      dynamicMetadata: { decision_id: expect.any(String) },
    });
    expect(output.identity).toEqual({ authenticated: false, methods: [] });
  });

  it("exit 1 when denied, with the protobuf JSON CheckResponse", async () => {
    const result = await cli([
      "check",
      "--config",
      config,
      await requestFile("protected.json", protectedRead),
    ]);
    expect(result.code).toBe(1);
    const output = JSON.parse(result.stdout);
    expect(output.response.deniedResponse).toMatchObject({
      status: { code: "Unauthorized" },
      body: "authentication required",
    });
  });

  it("reads the request from stdin and accepts snake_case field names", async () => {
    const snake = {
      attributes: {
        context_extensions: { region: "eu-west-1" },
        request: { http: { method: "GET", path: "/api/v1/public/x", raw_body: "" } },
      },
    };
    const result = await cli(["check", "--config", config, "-"], JSON.stringify(snake));
    expect(result.code).toBe(0);
  });

  it("exit 2 for an unreadable or malformed request", async () => {
    const missing = join(dir, "missing.json");
    expect(await cli(["check", "--config", config, missing])).toMatchObject({
      code: 2,
      stderr: `openclaw-authz: file_unreadable: cannot read ${missing}: ENOENT: no such file or directory, open '${missing}'\n`,
    });
    const bad = await cli([
      "check",
      "--config",
      config,
      await requestFile("bad.json", { attributes: { nope: 1 } }),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown field "nope"');
  });

  it("serve warns when cache.maxBytes crowds the V8 heap limit, and only then", async () => {
    const warning = /cache.maxBytes is over a quarter of the heap limit/;
    const cache = { maxBytes: 48 * 2 ** 20 };
    const tight = await startSidecar({ cache }, ["--max-old-space-size=128"]);
    const roomy = await startSidecar({ cache }, ["--max-old-space-size=256"]);
    await Promise.all([tight.stop(), roomy.stop()]);
    expect(tight.stderr.join("\n")).toMatch(warning);
    expect(tight.stderr.join("\n")).toMatch(/"heap_limit_mib":1\d\d,"cache_max_mib":48/);
    expect(roomy.stderr.join("\n")).not.toMatch(warning);
  });

  it("exit 2 naming the key path for a bad config, and for a missing bundle", async () => {
    const badConfig = join(dir, "bad.yaml");
    await writeFile(badConfig, stringify({ policy: { bundle: BUNDLE, decison: "x" } }));
    const bad = await cli([
      "check",
      "--config",
      badConfig,
      await requestFile("p.json", publicRead),
    ]);
    expect(bad).toMatchObject({
      code: 2,
      stdout: "",
      stderr: 'openclaw-authz: config_invalid: policy.decison: Unrecognized key: "decison"\n',
    });
    const noBundle = join(dir, "nobundle.yaml");
    const nope = join(dir, "nope.tar.gz");
    await writeFile(noBundle, stringify({ policy: { bundle: nope } }));
    expect(
      await cli(["check", "--config", noBundle, await requestFile("p2.json", publicRead)]),
    ).toMatchObject({
      code: 2,
      stdout: "",
      stderr: `openclaw-authz: bundle_invalid: ${nope}: ENOENT: no such file or directory, stat '${nope}'\n`,
    });
  });
});

describe("check and serve share one pipeline", () => {
  let sidecar: Sidecar;
  beforeAll(async () => {
    sidecar = await startSidecar({ policy: { bundle: BUNDLE }, decisionLog: { console: false } });
  });
  afterAll(() => sidecar?.stop());

  it.each([
    ["public", publicRead],
    ["protected", protectedRead],
    ["parse error", { attributes: { request: { http: { path: "/a%zz" } } } }],
  ])("%s: same CheckResponse", async (name, request) => {
    const client = checkClient(sidecar.grpc);
    const served = await client.check(request);
    client.close();
    const checked = JSON.parse(
      (await cli(["check", "--config", config, await requestFile(`${name}.json`, request)])).stdout,
    );
    if (!served.ok) throw new Error("serve failed");
    type Response = Record<string, unknown> & { dynamicMetadata?: Record<string, unknown> };
    const strip = (r: Response): Response => {
      const { decision_id: _, ...rest } = r.dynamicMetadata ?? {};
      return { ...r, dynamicMetadata: rest };
    };
    const servedResponse = strip(served.response as Response);
    const checkedResponse = strip(checked.response as Response);
    // grpc's decoder leaves proto3 zero values out (`status: {}` for OK); protobuf JSON from check keeps code 0.
    expect(servedResponse.deniedResponse).toEqual(checkedResponse.deniedResponse);
    expect(servedResponse.dynamicMetadata).toEqual(checkedResponse.dynamicMetadata);
    expect((servedResponse.status as { code?: number }).code ?? 0).toBe(
      (checkedResponse.status as { code: number }).code,
    );
  });
});

describe("the README demo", () => {
  it("config/demo.yaml verifies the generated lab token and lab SVID", async () => {
    await run("node", [join(ROOT, "scripts/lab-identity.mjs")], { cwd: ROOT });
    const { stdout: token } = await run(
      "node",
      [join(ROOT, "scripts/lab-identity.mjs"), "token", "support", "acme"],
      { cwd: ROOT },
    );
    const demo = join(ROOT, "config/demo.yaml");
    const patch = {
      attributes: {
        request: {
          http: {
            method: "PATCH",
            path: "/api/v1/tenants/acme/tickets/9",
            headers: { authorization: `Bearer ${token.trim()}` },
          },
        },
      },
    };
    const withToken = await cli([
      "check",
      "--config",
      demo,
      await requestFile("demo-token.json", patch),
    ]);
    expect(withToken.code).toBe(0);
    expect(JSON.parse(withToken.stdout).identity).toMatchObject({
      authenticated: true,
      methods: ["jwt"],
      subject: "lab-user",
    });
    const svid = await readFile(join(ROOT, "build/lab/planner.pem"), "utf8");
    const run_ = {
      attributes: {
        source: { certificate: encodeURIComponent(svid) },
        request: { http: { method: "POST", path: "/api/v1/tenants/acme/agents/a1/runs" } },
      },
    };
    const withSvid = await cli([
      "check",
      "--config",
      demo,
      await requestFile("demo-svid.json", run_),
    ]);
    expect(withSvid.code).toBe(0);
    expect(JSON.parse(withSvid.stdout).identity.subject).toBe(
      "spiffe://prod.openclaw.internal/ns/agents/sa/planner",
    );
    const forged = await cli([
      "check",
      "--config",
      demo,
      await requestFile("demo-forged.json", {
        attributes: {
          request: {
            http: {
              path: "/api/v1/tenants/acme/tickets/9",
              headers: { authorization: `Bearer ${token.trim()}x` },
            },
          },
        },
      }),
    ]);
    expect(forged.code).toBe(1);
    expect(JSON.parse(forged.stdout).response.deniedResponse.status.code).toBe("Unauthorized");
  });
});

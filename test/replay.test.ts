/** `openclaw-authz replay`: real decision logs re-evaluated against a candidate bundle. */
import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkClient } from "./support/client.js";
import { es256Issuer, jwksFile, sign, signingKey } from "./support/idp.js";
import { built, ROOT, tool } from "./support/paths.js";
import { run, type Sidecar, startSidecar } from "./support/processes.js";
import { jsonLineWith } from "./support/wait.js";

const ISSUER = "https://idp.replay.test/";
let dir: string;
let log: string;
let sidecar: Sidecar;

async function candidate(
  edit: (data: { openclaw: { roles: Record<string, string[]> } }) => void,
): Promise<string> {
  const policyDir = join(dir, `candidate-${Math.random().toString(36).slice(2)}`);
  await cp(join(ROOT, "policies"), policyDir, { recursive: true });
  const data = JSON.parse(await readFile(join(policyDir, "data.json"), "utf8"));
  edit(data);
  await writeFile(join(policyDir, "data.json"), JSON.stringify(data));
  const out = join(policyDir, "bundle.tar.gz");
  await run(tool("opa"), [
    "build",
    "-t",
    "wasm",
    "-e",
    "envoy/authz/allow",
    "--ignore",
    "*_test.rego",
    "-r",
    "candidate",
    "-o",
    out,
    policyDir,
  ]);
  return out;
}

async function replayCli(args: string[]) {
  return run("node", [built("dist/main.js"), "replay", ...args], { cwd: ROOT }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "oc-replay-"));
  const key = await signingKey("r-1", "ES256");
  sidecar = await startSidecar({
    policy: { bundle: built("build/policy/bundle.tar.gz") },
    identity: { jwt: { issuers: [es256Issuer(ISSUER, await jwksFile(key))] } },
  });
  const token = (sub: string, roles: string[]) =>
    sign(key, { iss: ISSUER, aud: "openclaw", sub, roles, tenant: "acme" });
  const call = (method: string, path: string, bearer?: string) => ({
    attributes: {
      request: {
        http: {
          method,
          path,
          headers: bearer ? { authorization: `Bearer ${bearer}`, cookie: "session=s" } : {},
        },
      },
    },
  });
  const client = checkClient(sidecar.grpc);
  const support = await token("sam", ["support"]);
  const viewer = await token("vera", ["viewer"]);
  const ids: string[] = [];
  for (const request of [
    call("PATCH", "/api/v1/tenants/acme/tickets/1", support),
    call("PATCH", "/api/v1/tenants/acme/tickets/2", support),
    call("GET", "/api/v1/tenants/acme/tickets/1", viewer),
    call("PATCH", "/api/v1/tenants/acme/tickets/1", viewer),
    call("GET", "/api/v1/public/docs"),
  ]) {
    const result = await client.check(request);
    if (!result.ok) throw new Error(`gRPC error ${result.code}`);
    const id = (result.response.dynamicMetadata as { decision_id: string }).decision_id;
    ids.push(id);
  }
  client.close();
  for (const id of ids) await jsonLineWith(sidecar.stdout, `"decision_id":"${id}"`);
  log = join(dir, "decisions.ndjson");
  const logged = sidecar.stdout.filter((line) => ids.some((id) => line.includes(id)));
  await writeFile(log, `${logged.join("\n")}\n`);
});

afterAll(() => sidecar?.stop());

describe("openclaw-authz replay", () => {
  it("reports no change, exit 0, against the serving bundle", async () => {
    const result = await replayCli(["--bundle", built("build/policy/bundle.tar.gz"), "--log", log]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("replayed 5 of 5 logged decisions");
    expect(result.stdout).toContain("flips: 0");
  });

  it("finds the decisions a data change would flip, by route and subject, and fails the gate", async () => {
    const stricter = await candidate((data) => {
      data.openclaw.roles.support = ["ticket:read"];
    });
    const result = await replayCli(["--bundle", stricter, "--log", log]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("flips: 2 (2 allow → deny, 0 deny → allow)");
    expect(result.stdout).toMatch(/2\s+sam/);
    expect(result.stdout).toContain(
      "PATCH /api/v1/tenants/acme/tickets/1  sam  allow → deny  (scope ticket:update granted → missing scope ticket:update)",
    );
    expect(result.stdout).toContain("replayed with fields the decision log had erased");
    expect((await replayCli(["--bundle", stricter, "--log", log, "--max-flips", "2"])).code).toBe(
      0,
    );
  });

  it("reads the log from stdin and reports as JSON", async () => {
    const looser = await candidate((data) => {
      data.openclaw.roles.viewer = ["ticket:read", "ticket:update"];
    });
    const output = await run(
      "sh",
      ["-c", `node ${built("dist/main.js")} replay --bundle ${looser} --log - --json < ${log}`],
      { cwd: ROOT },
    ).catch((e) => e);
    expect(output.code).toBe(1);
    const report = JSON.parse(output.stdout);
    expect(report).toMatchObject({
      events: 5,
      replayed: 5,
      flips: { allowToDeny: 0, denyToAllow: 1 },
      bySubject: { vera: 1 },
    });
    expect(report.examples[0]).toMatchObject({
      route: "PATCH /api/v1/tenants/acme/tickets/1",
      before: "deny",
      after: "allow",
    });
  });
});

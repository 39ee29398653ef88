/** `openclaw-authz replay`: real decision logs re-evaluated against a candidate bundle. */
import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkClient } from "./support/client.js";
import { es256Issuer, jwksFile, sign, signingKey } from "./support/idp.js";
import { built, ROOT, tool } from "./support/paths.js";
import { createCa, days, envoyEncoded, issue } from "./support/pki.js";
import { cli, run, type Sidecar, startSidecar } from "./support/processes.js";
import { freePort } from "./support/redis.js";
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

const replayCli = (args: string[], stdin?: string) =>
  cli(["replay", ...args], stdin === undefined ? {} : { stdin });

/** Sends each request to `sidecar` and returns their decision log lines, once all are logged. */
async function logOf(sidecar: Sidecar, requests: unknown[]): Promise<string[]> {
  const client = checkClient(sidecar.grpc);
  const ids: string[] = [];
  for (const request of requests) {
    const result = await client.check(request);
    if (!result.ok) throw new Error(`gRPC error ${result.code}`);
    ids.push((result.response.dynamicMetadata as { decision_id: string }).decision_id);
  }
  client.close();
  for (const id of ids) await jsonLineWith(sidecar.stdout, `"decision_id":"${id}"`);
  return sidecar.stdout.filter((line) => ids.some((id) => line.includes(id)));
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
  const support = await token("sam", ["support"]);
  const viewer = await token("vera", ["viewer"]);
  const logged = await logOf(sidecar, [
    call("PATCH", "/api/v1/tenants/acme/tickets/1", support),
    call("PATCH", "/api/v1/tenants/acme/tickets/2", support),
    call("GET", "/api/v1/tenants/acme/tickets/1", viewer),
    call("PATCH", "/api/v1/tenants/acme/tickets/1", viewer),
    call("GET", "/api/v1/public/docs"),
  ]);
  log = join(dir, "decisions.ndjson");
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
    const output = await replayCli(
      ["--bundle", looser, "--log", "-", "--json"],
      await readFile(log, "utf8"),
    );
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

describe("replay against the bundle that wrote the log", () => {
  const bundle = () => built("build/policy/bundle.tar.gz");
  const PUBLIC = "/api/v1/public/docs";
  const TICKET = "/api/v1/tenants/acme/tickets/1";
  let everyKind: string;
  const sidecars: Sidecar[] = [];

  beforeAll(async () => {
    const key = await signingKey("e-1", "ES256");
    const stranger = await signingKey("x-1", "ES256");
    const proxyKey = await signingKey("alb-1", "ES256");
    const ca = await createCa("replay root");
    const spiffeId = "spiffe://replay.test/ns/agents/sa/planner";
    const expired = await issue(ca, "expired", {
      uris: [spiffeId],
      notBefore: days(-3),
      notAfter: days(-1),
    });
    const valid = await issue(ca, "valid", { uris: [spiffeId] });
    const file = async (name: string, text: string) => {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    };
    const revocationFile = join(dir, "revoked.ndjson");
    // Revoked the way an operator does it: `openclaw-authz revoke` appends to the file.
    await run(
      "node",
      [
        built("dist/main.js"),
        "revoke",
        "--config",
        await file("revoke.yaml", `identity: {revocationFile: ${revocationFile}}\n`),
        "--subject",
        "mallory",
      ],
      { cwd: ROOT },
    );
    const closedPort = await freePort();
    const identity = {
      revocationFile,
      spiffe: { trustDomains: { "replay.test": await file("ca.pem", ca.pem) } },
      jwt: {
        issuers: [
          es256Issuer(ISSUER, await jwksFile(key)),
          // Keys that never load: its tokens are refused as identity_unavailable.
          {
            ...es256Issuer("https://down.replay.test/", ""),
            jwks: { url: `http://127.0.0.1:${closedPort}/jwks` },
            fetchTimeout: "200ms",
          },
        ],
      },
      trustedProxy: {
        cidrs: ["10.0.0.0/8"],
        signer: "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/replay/1",
        keyFile: await jwksFile(proxyKey),
      },
    };
    const config = (dryRun: boolean) => ({ policy: { bundle: bundle(), dryRun }, identity });
    const token = (claims: Record<string, unknown>, signer = key) =>
      sign(signer, { iss: ISSUER, aud: "openclaw", tenant: "acme", ...claims });
    const call = (
      method: string,
      path: string,
      options: { bearer?: string; certificate?: string; peer?: string; proxy?: string } = {},
    ) => ({
      attributes: {
        source: {
          address: { socketAddress: { address: options.peer ?? "10.1.2.3", portValue: 4000 } },
          ...(options.certificate ? { certificate: envoyEncoded(options.certificate) } : {}),
        },
        request: {
          http: {
            method,
            path,
            headers: {
              ...(options.bearer ? { authorization: `Bearer ${options.bearer}` } : {}),
              ...(options.proxy ? { "x-amzn-oidc-data": options.proxy } : {}),
            },
          },
        },
      },
    });
    const support = await token({ sub: "sam", roles: ["support"] });
    const viewer = await token({ sub: "vera", roles: ["viewer"] });
    // Every request on a route that would allow an anonymous caller, where one matters: replayed
    // as anonymous, each refused credential would be a deny → allow flip.
    const traffic = [
      call("PATCH", TICKET, { bearer: support }),
      call("PATCH", TICKET, { bearer: viewer }),
      call("GET", PUBLIC),
      call("GET", PUBLIC, { bearer: await token({ sub: "sam" }, stranger) }),
      call("GET", PUBLIC, { bearer: await token({ sub: "sam", exp: 1_000_000 }) }),
      call("GET", PUBLIC, { bearer: `${support}x` }),
      call("GET", PUBLIC, { bearer: await token({ sub: "mallory", roles: ["support"] }) }),
      call("GET", PUBLIC, {
        bearer: await sign(key, { iss: "https://down.replay.test/", aud: "openclaw", sub: "d" }),
      }),
      call("GET", PUBLIC, { certificate: expired.pem }),
      call("GET", PUBLIC, { certificate: valid.pem }),
      call("GET", PUBLIC, { peer: "203.0.113.9", proxy: "eyJhbGciOiJFUzI1NiJ9.e30.c2ln" }),
      call("GET", TICKET, { peer: "203.0.113.9", proxy: "eyJhbGciOiJFUzI1NiJ9.e30.c2ln" }),
      call("GET", "/api/v1/a%zz"),
    ];
    // One after the other: if the second fails to start, afterAll still stops the first.
    const enforcing = await startSidecar(config(false));
    sidecars.push(enforcing);
    const dryRunning = await startSidecar(config(true));
    sidecars.push(dryRunning);
    // One request a minute per client address and per tenant: the second from an address is
    // refused before identity and policy, the second of a tenant after the policy allowed it.
    const limiting = await startSidecar({
      ...config(false),
      rateLimit: {
        enabled: true,
        tiers: { standard: { perMinute: 1 } },
        perAddress: { perMinute: 1 },
      },
    });
    sidecars.push(limiting);
    const enforced = await logOf(enforcing, traffic);
    const dryRun = await logOf(dryRunning, traffic);
    const limited = await logOf(limiting, [
      call("GET", PUBLIC, { peer: "10.5.0.1" }),
      call("GET", PUBLIC, { peer: "10.5.0.1" }),
      call("PATCH", TICKET, { peer: "10.5.0.2", bearer: support }),
      call("PATCH", TICKET, { peer: "10.5.0.3", bearer: support }),
    ]);
    everyKind = join(dir, "every-kind.ndjson");
    await writeFile(everyKind, `${[...enforced, ...dryRun, ...limited].join("\n")}\n`);
  });

  afterAll(async () => {
    for (const sidecar of sidecars) await sidecar.stop();
  });

  it("the log holds every kind of decision, and each was answered as the sidecar answers it", async () => {
    const events = (await readFile(everyKind, "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const reasons = events.slice(0, 13).map((e) => e.error?.message ?? e.reason);
    expect(reasons).toEqual([
      "scope ticket:update granted",
      "missing scope ticket:update",
      "public route",
      expect.stringMatching(/^jwt: /),
      expect.stringMatching(/^jwt: .*exp/),
      expect.stringMatching(/^jwt: /),
      "jwt: revoked subject mallory",
      expect.stringMatching(/^jwt: /),
      expect.stringMatching(/^x509-svid: .*expired/),
      "public route",
      "public route",
      "authentication required",
      'invalid URL escape "%zz"',
    ]);
    expect(events.slice(0, 13).map((e) => e.error?.code ?? "policy")).toEqual([
      "policy",
      "policy",
      "policy",
      "identity_invalid",
      "identity_invalid",
      "identity_invalid",
      "identity_invalid",
      "identity_unavailable",
      "identity_invalid",
      "policy",
      "policy",
      "policy",
      "request_parse_error",
    ]);
    expect(events[10].suspicious).toEqual([expect.stringContaining("x-amzn-oidc-data")]);
    // The dry-run sidecar told Envoy OK for the policy's denies, and logged the real result.
    expect(events[14]).toMatchObject({ dry_run: true, allowed: true, result: { allowed: false } });
    // Rate limits: an address refused before the policy (no result), a tenant after it allowed.
    expect(events.slice(26).map((e) => [e.reason, e.allowed, e.result?.allowed])).toEqual([
      ["public route", true, true],
      ["rate_limited", false, undefined],
      ["scope ticket:update granted", true, true],
      ["rate_limited", false, true],
    ]);
  });

  it("finds no flip, exit 0, and says what it did not replay and why", async () => {
    const result = await replayCli(["--bundle", bundle(), "--log", everyKind, "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      events: 30,
      replayed: 15,
      skipped: 15,
      skippedBy: {
        identity_invalid: 10,
        identity_unavailable: 2,
        request_parse_error: 2,
        rate_limited: 1,
      },
      flips: { allowToDeny: 0, denyToAllow: 0 },
      otherChanges: 0,
      candidateErrors: 0,
    });
    const text = await replayCli(["--bundle", bundle(), "--log", everyKind, "--max-flips", "0"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("replayed 15 of 30 logged decisions");
    expect(text.stdout).toMatch(
      /15 not replayed, decided without the policy's answer.*\n\s+10 {2}identity_invalid {2}\(a credential failed verification or was revoked: 401 before the policy\)\n\s+2 {2}identity_unavailable/,
    );
    expect(text.stdout).toContain("flips: 0 (0 allow → deny, 0 deny → allow); 0 other changes");
  });

  it("reads past the hash chain's control events and lines that are not JSON, and says so", async () => {
    const withOthers = join(dir, "every-kind-and-others.ndjson");
    const control = JSON.stringify({ kind: "checkpoint", seq: 26, chain_id: "c" });
    await writeFile(withOthers, `${control}\n${await readFile(everyKind, "utf8")}{"truncated\n`);
    const result = await replayCli(["--bundle", bundle(), "--log", withOthers]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("replayed 15 of 30 logged decisions");
    expect(result.stdout).toContain(
      "2 other lines (the hash chain's control events, lines not JSON) read past",
    );
  });
});

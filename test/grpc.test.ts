/** The gRPC service as Envoy and operators meet it: real server, real grpcurl, admin endpoints. */
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPolicy } from "./support/bundles.js";
import { type CallResult, checkClient } from "./support/client.js";
import { built, ROOT, tool } from "./support/paths.js";
import { buildBundle, cli, run, type Sidecar, startSidecar } from "./support/processes.js";
import { freePort, startRedis } from "./support/redis.js";
import { jsonLineWith, until } from "./support/wait.js";

// biome-ignore lint/suspicious/noExplicitAny: reflection answers as proto-loader decodes them
type Json = Record<string, any>;

const BUNDLE = built("build/policy/bundle.tar.gz");
const publicRead = {
  attributes: { request: { http: { method: "GET", path: "/api/v1/public/docs", headers: {} } } },
};

/** An allow: status OK (code 0, left out of the decoded message) and no denied response. */
function expectAllowed(result: CallResult) {
  expect(result.ok).toBe(true);
  if (!result.ok) return;
  expect(result.response.status).toEqual({});
  expect(result.response.deniedResponse).toBeUndefined();
}

const grpcurl = (...args: string[]) => run(tool("grpcurl"), ["-plaintext", ...args], { cwd: ROOT });

describe("serve with the shipped policy", () => {
  let sidecar: Sidecar;
  beforeAll(async () => {
    sidecar = await startSidecar({ policy: { bundle: BUNDLE } });
  });
  afterAll(() => sidecar?.stop());

  it("lists its services through server reflection (grpcurl list)", async () => {
    const { stdout } = await grpcurl(sidecar.grpc, "list");
    expect(stdout.trim().split("\n")).toEqual(
      expect.arrayContaining(["envoy.service.auth.v3.Authorization", "grpc.health.v1.Health"]),
    );
  });

  it("describes CheckRequest through reflection with Envoy's field numbers", async () => {
    const { stdout } = await grpcurl(
      sidecar.grpc,
      "describe",
      "envoy.service.auth.v3.AttributeContext.HttpRequest",
    );
    expect(stdout).toContain("string path = 4;");
    expect(stdout).toContain("bytes raw_body = 12;");
    expect(stdout).toContain("map<string, string> headers = 3;");
  });

  it("answers Check from grpcurl, which learns the schema by reflection", async () => {
    const { stdout } = await grpcurl(
      "-d",
      JSON.stringify(publicRead),
      sidecar.grpc,
      "envoy.service.auth.v3.Authorization/Check",
    );
    const response = JSON.parse(stdout);
    expect(response.status).toEqual({});
    expect(response.okResponse).toEqual({});
    expect(response.dynamicMetadata).toMatchObject({
      reason: "public route",
      decision_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it("denies an anonymous caller on a protected route with 401 and www-authenticate", async () => {
    const request = {
      attributes: { request: { http: { method: "GET", path: "/api/v1/tenants/acme/tickets/1" } } },
    };
    const { stdout } = await grpcurl(
      "-d",
      JSON.stringify(request),
      sidecar.grpc,
      "envoy.service.auth.v3.Authorization/Check",
    );
    const response = JSON.parse(stdout);
    expect(response.status).toEqual({ code: 7 });
    expect(response.deniedResponse.status).toEqual({ code: "Unauthorized" });
    expect(response.deniedResponse.headers).toContainEqual({
      header: { key: "www-authenticate", value: "Bearer" },
    });
  });

  // grpcurl asks v1; older clients v1alpha. Both are served by @grpc/reflection, which loads on
  // the first reflection call: one stream's requests are answered in order, and a request that
  // does not decode ends its call with INVALID_ARGUMENT while the server serves on.
  it("answers reflection v1alpha too, in order on one stream, and refuses a request that does not decode", async () => {
    const definition = loadSync(
      join(
        ROOT,
        "node_modules/@grpc/reflection/build/proto/grpc/reflection/v1alpha/reflection.proto",
      ),
    );
    const { reflection } = (
      grpc.loadPackageDefinition(definition) as unknown as {
        grpc: { reflection: { v1alpha: { ServerReflection: grpc.ServiceClientConstructor } } };
      }
    ).grpc;
    const client = new reflection.v1alpha.ServerReflection(
      sidecar.grpc,
      grpc.credentials.createInsecure(),
    );
    try {
      const { ServerReflectionInfo } = client as unknown as {
        ServerReflectionInfo(): grpc.ClientDuplexStream<object, Json>;
      };
      const call = ServerReflectionInfo.call(client);
      const answers: Json[] = [];
      call.on("data", (answer: Json) => answers.push(answer));
      const ended = new Promise((resolve, reject) => {
        call.on("end", resolve);
        call.on("error", reject);
      });
      call.write({ listServices: "*" });
      call.write({ fileContainingSymbol: "envoy.service.auth.v3.CheckRequest" });
      call.write({ fileContainingSymbol: "no.such.Symbol" });
      call.end();
      await ended;
      expect(answers).toHaveLength(3);
      const [list, file, missing] = answers as [Json, Json, Json];
      expect(list.listServicesResponse.service.map((s: Json) => s.name)).toEqual(
        expect.arrayContaining(["envoy.service.auth.v3.Authorization", "grpc.health.v1.Health"]),
      );
      expect(file.fileDescriptorResponse.fileDescriptorProto.length).toBeGreaterThan(0);
      expect(missing.errorResponse.errorCode).toBe(grpc.status.NOT_FOUND);
    } finally {
      client.close();
    }
    const raw = new grpc.Client(sidecar.grpc, grpc.credentials.createInsecure());
    try {
      const call = raw.makeBidiStreamRequest(
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        (bytes: Buffer) => bytes,
        (bytes: Buffer) => bytes,
      );
      const status = new Promise<grpc.ServiceError>((resolve) => call.on("error", resolve));
      call.on("data", () => {});
      call.write(Buffer.from([0x0a, 0xff, 0xff, 0xff]));
      expect((await status).code).toBe(grpc.status.INVALID_ARGUMENT);
    } finally {
      raw.close();
    }
    const { stdout } = await grpcurl(sidecar.grpc, "list");
    expect(stdout).toContain("envoy.service.auth.v3.Authorization");
  });

  it("reports SERVING on grpc.health.v1.Health", async () => {
    const { stdout } = await grpcurl(sidecar.grpc, "grpc.health.v1.Health/Check");
    expect(JSON.parse(stdout)).toEqual({ status: "SERVING" });
  });

  it("answers grpc.health.v1 Check by service name, List, and Watch as grpc-health-check does", async () => {
    const health = (method: string, request: object, ...flags: string[]) =>
      grpcurl(
        ...flags,
        "-d",
        JSON.stringify(request),
        sidecar.grpc,
        `grpc.health.v1.Health/${method}`,
      );
    const byName = await health("Check", { service: "envoy.service.auth.v3.Authorization" });
    expect(JSON.parse(byName.stdout)).toEqual({ status: "SERVING" });
    const unknown = await health("Check", { service: "nope" }).catch((error) => error);
    expect(unknown.stderr).toContain("Code: NotFound");
    expect(unknown.stderr).toContain("Health status unknown for service nope");
    const { stdout: listed } = await health("List", {});
    expect(JSON.parse(listed)).toEqual({
      statuses: {
        "": { status: "SERVING" },
        "envoy.service.auth.v3.Authorization": { status: "SERVING" },
      },
    });
    // Watch streams the current status at once, then changes; grpcurl's deadline ends the call.
    const watched = await health("Watch", { service: "" }, "-max-time", "1").catch((e) => e);
    expect(JSON.parse(watched.stdout)).toEqual({ status: "SERVING" });
    const unwatched = await health("Watch", { service: "nope" }, "-max-time", "1").catch((e) => e);
    expect(JSON.parse(unwatched.stdout)).toEqual({ status: "SERVICE_UNKNOWN" });
  });

  it("serves /healthz, /readyz and Prometheus /metrics with decisions by outcome", async () => {
    const client = checkClient(sidecar.grpc);
    await client.check(publicRead);
    client.close();
    const base = `http://${sidecar.admin}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/openclaw_authz_decisions_total\{outcome="allow",code=""\} [1-9]/);
    expect(metrics).toMatch(/openclaw_authz_check_duration_seconds_count [1-9]/);
    expect(metrics).toMatch(/openclaw_authz_policy_eval_duration_seconds_count [1-9]/);
    expect(metrics).toContain("openclaw_authz_policy_loaded 1");
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it("writes a masked decision log event whose id Envoy receives", async () => {
    const client = checkClient(sidecar.grpc);
    const withSecret = structuredClone(publicRead);
    (withSecret.attributes.request.http.headers as Record<string, string>).authorization =
      "Bearer sEcReT-token";
    const result = await client.check(withSecret);
    client.close();
    if (!result.ok) throw new Error("check failed");
    const id = (result.response.dynamicMetadata as { decision_id: string }).decision_id;
    const event = await jsonLineWith<{ erased: string[] }>(sidecar.stdout, `"decision_id":"${id}"`);
    expect(event).toMatchObject({
      path: "envoy/authz/allow",
      result: { allowed: true },
      cache: "miss",
      identity: { methods: [] },
    });
    expect(event.erased).toContain("/input/attributes/request/http/headers/authorization");
    expect(sidecar.stdout.join("\n")).not.toContain("sEcReT-token");
  });
});

describe("a deny whose http_status is not a denial status", () => {
  // The status comes from the path: /200 makes the policy deny with http_status 200.
  const POLICY = `package envoy.authz

import rego.v1

allow := {
	"allowed": false,
	"http_status": to_number(input.parsed_path[0]),
	"body": "denied by policy",
	"headers": {"location": "https://login.example/"},
}
`;
  let sidecar: Sidecar;
  let client: ReturnType<typeof checkClient>;
  beforeAll(async () => {
    sidecar = await startSidecar({ policy: { bundle: await buildPolicy(POLICY, {}) } });
    client = checkClient(sidecar.grpc);
  });
  afterAll(async () => {
    client?.close();
    await sidecar?.stop();
  });

  const checkPath = async (path: string) => {
    const result = await client.check({
      attributes: { request: { http: { method: "GET", path, headers: {} } } },
    });
    if (!result.ok) throw new Error(`gRPC error ${result.code}`);
    const id = (result.response.dynamicMetadata as { decision_id: string }).decision_id;
    const event = await jsonLineWith<{ error?: unknown }>(sidecar.stdout, id);
    return { response: result.response, event };
  };

  it.each(["200", "204", "100"])(
    "http_status %s: PERMISSION_DENIED with 403, logged as policy_result_invalid",
    async (status) => {
      const { response, event } = await checkPath(`/${status}`);
      expect(response.status).toMatchObject({ code: 7 });
      expect(response.deniedResponse).toEqual({
        status: { code: "Forbidden" },
        body: "policy_result_invalid",
      });
      expect(event.error).toEqual({
        code: "policy_result_invalid",
        message: `http_status ${status} on a deny: a denial must carry a 3xx, 4xx or 5xx status`,
      });
    },
  );

  it.each([
    ["302", "Found"],
    ["401", "Unauthorized"],
    ["503", "ServiceUnavailable"],
  ])(
    "http_status %s (a redirect or an error) reaches Envoy as the policy set it",
    async (status, name) => {
      const { response, event } = await checkPath(`/${status}`);
      expect(response.status).toEqual({ code: 7 });
      expect(response.deniedResponse).toEqual({
        status: { code: name },
        body: "denied by policy",
        headers: [{ header: { key: "location", value: "https://login.example/" } }],
      });
      expect(event.error).toBeUndefined();
    },
  );
});

describe("serve without a policy", () => {
  let sidecar: Sidecar;
  beforeAll(async () => {
    sidecar = await startSidecar({});
  });
  afterAll(() => sidecar?.stop());

  it("is NOT_SERVING, not ready, and denies every check", async () => {
    const { stdout } = await grpcurl(sidecar.grpc, "grpc.health.v1.Health/Check");
    expect(JSON.parse(stdout)).toEqual({ status: "NOT_SERVING" });
    expect((await fetch(`http://${sidecar.admin}/readyz`)).status).toBe(503);
    const client = checkClient(sidecar.grpc);
    const result = await client.check(publicRead);
    client.close();
    expect(result).toMatchObject({
      ok: true,
      response: {
        status: { code: 7 },
        deniedResponse: { status: { code: "Forbidden" }, body: "policy_not_loaded" },
      },
    });
  });
});

describe("serve on a Unix domain socket", () => {
  it("answers Check on unix:///path", async () => {
    const socket = join(await mkdtemp(join(tmpdir(), "oc-uds-")), "authz.sock");
    const sidecar = await startSidecar({
      listen: { grpc: `unix://${socket}` },
      policy: { bundle: BUNDLE },
    });
    try {
      const { stdout } = await grpcurl(`unix://${socket}`, "list");
      expect(stdout).toContain("envoy.service.auth.v3.Authorization");
      const client = checkClient(`unix://${socket}`);
      expectAllowed(await client.check(publicRead));
      client.close();
    } finally {
      await sidecar.stop();
    }
  });
});

describe("server.workers", () => {
  it("two workers share one Unix socket, and stop together on SIGTERM", async () => {
    const socket = join(await mkdtemp(join(tmpdir(), "oc-workers-")), "authz.sock");
    const sidecar = await startSidecar({
      listen: { grpc: `unix://${socket}` },
      server: { workers: 2 },
      policy: { bundle: BUNDLE },
    });
    const serving = () => sidecar.stderr.filter((l) => l.includes('"msg":"serving"'));
    expect(await until(() => serving().length === 2)).toBe(true);
    expect(new Set(serving().map((l) => JSON.parse(l).pid)).size).toBe(2);
    const client = checkClient(`unix://${socket}`);
    const results = await Promise.all(Array.from({ length: 20 }, () => client.check(publicRead)));
    client.close();
    for (const result of results) expectAllowed(result);
    expect(await sidecar.stop("SIGTERM")).toBe(0);
    expect(sidecar.stderr.filter((l) => l.includes('"msg":"stopped"'))).toHaveLength(2);
  });
});

describe("a port that is taken", () => {
  it("ends serve with listen_failed (exit 2), its Redis connections open or not", async () => {
    const redis = await startRedis();
    const port = await freePort();
    const taken = createServer().listen(port, "127.0.0.1");
    try {
      const dir = await mkdtemp(join(tmpdir(), "oc-taken-"));
      const config = join(dir, "config.yaml");
      await writeFile(
        config,
        JSON.stringify({
          listen: { grpc: `127.0.0.1:${port}`, admin: "127.0.0.1:0" },
          policy: { bundle: BUNDLE },
          cache: { redis: { url: redis.url } },
        }),
      );
      // It printed its error and then lived on: the reconnecting Redis clients held it.
      const { code, stderr } = await cli(["serve", "--config", config], { timeoutMs: 20_000 });
      expect(stderr).toContain(`listen_failed: cannot listen on 127.0.0.1:${port}`);
      expect(code).toBe(2);
    } finally {
      taken.close();
      await redis.stop();
    }
  });
});

describe("SIGTERM", () => {
  it("exits 0 when nothing reads its stdout and stderr any more (the log shipper is gone)", async () => {
    const sidecar = await startSidecar({
      policy: { bundle: BUNDLE },
      decisionLog: { console: true },
    });
    // Our ends of its pipes closed: every line it writes from here on fails with EPIPE.
    sidecar.process.stdout?.destroy();
    sidecar.process.stderr?.destroy();
    // Its shutdown lines fail: SonicBoom's synchronous flush at exit (pino's exit hook) retried
    // such a write forever, so the process never exited and `stop` ended it with SIGKILL after
    // its grace (code null).
    expect(await sidecar.stop("SIGTERM")).toBe(0);
  });

  it("finishes in-flight checks, flushes the decision log and exits 0", async () => {
    // A deliberately slow policy keeps checks in flight while the signal arrives; without the
    // cache each check evaluates it in turn (with it, identical checks would share one evaluation
    // and could all finish before the signal).
    const bundle = await buildBundle(join(ROOT, "test/fixtures/slow-policy"), "slow/allow");
    const sidecar = await startSidecar({
      policy: { bundle, decision: "slow/allow" },
      cache: { enabled: false },
    });
    const client = checkClient(sidecar.grpc);
    const inFlight = Array.from({ length: 8 }, () => client.check(publicRead));
    // The first answer proves the server has the calls (sent together, before it) and is
    // evaluating them, two at a time; the rest are still in flight.
    await Promise.race(inFlight);
    const exit = sidecar.stop("SIGTERM");
    const results = await Promise.all(inFlight);
    client.close();
    expect(await exit).toBe(0);
    for (const result of results) expectAllowed(result);
    // By the sidecar's own clock: checks it answered after it began draining.
    const draining = JSON.parse(
      sidecar.stderr.find((line) => line.includes('"msg":"draining in-flight checks"')) ?? "{}",
    ) as { time?: number };
    // Decisions only: the chain's control events (segment_start, checkpoint) share stdout.
    const events = sidecar.stdout
      .map(
        (line) =>
          JSON.parse(line) as {
            decision_id?: string;
            timestamp: string;
            metrics: { timer_server_handler_ns: number };
          },
      )
      .filter((e) => e.decision_id !== undefined);
    expect(events).toHaveLength(results.length);
    const answeredMs = events.map(
      (e) => Date.parse(e.timestamp) + e.metrics.timer_server_handler_ns / 1e6,
    );
    expect(draining.time).toBeDefined();
    expect(
      answeredMs.filter((ms) => ms > (draining.time ?? Infinity)).length,
    ).toBeGreaterThanOrEqual(3);
    expect(sidecar.stderr.join("\n")).toContain('"msg":"stopped"');
  });
});

describe("bad configuration", () => {
  it("exits 2 naming the key path", async () => {
    const dir = await mkdtemp(join(tmpdir(), "oc-config-"));
    const path = join(dir, "bad.yaml");
    await writeFile(path, "policy:\n  bundle: x\n  dryrun: true\n");
    const failure = await run("node", [built("dist/main.js"), "serve", "--config", path]).catch(
      (e) => e,
    );
    expect(failure.code).toBe(2);
    expect(failure.stderr).toBe(
      'openclaw-authz: config_invalid: policy.dryrun: Unrecognized key: "dryrun"\n',
    );
    expect(failure.stdout).toBe("");
  });
});

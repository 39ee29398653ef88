/**
 * Deployment artifacts checked against the real schemas of the tools that read them: Envoy
 * bootstraps (go-control-plane), the lab PKI (openssl and the sidecar's own SVID checks), the
 * Dockerfile (a Dockerfile parser, and its runtime stage started as `docker run` would), and the
 * OPA pin: scripts/lib.sh's OPA_VERSION, which the go.mod files must agree with. The Helm chart
 * has its own file, test/chart.test.ts.
 */
import { execFile, spawn } from "node:child_process";
import { cp, mkdtemp, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { validate as validateDockerfile } from "dockerfile-utils";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { MCP_FILTER, MCP_ON, mcpWiring } from "./support/envoy-mcp.js";
import { runtimeStage, stageImage } from "./support/image.js";
import { built, ROOT, tool } from "./support/paths.js";
import { IMAGE_NODE_ARGS, runToEnd } from "./support/processes.js";
import { until } from "./support/wait.js";

const exec = promisify(execFile);
const run = runToEnd;
const validate = (...args: string[]) => run(tool("validate"), args);
const CHART = join(ROOT, "charts/openclaw-authz");

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "oc-deploy-"));
});

// biome-ignore lint/suspicious/noExplicitAny: parsed manifests walked ad hoc; a wrong path throws or mismatches, failing the test
type Json = Record<string, any>;

async function variant(name: string, edit: (text: string) => string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, edit(await readFile(join(ROOT, "envoy/sidecar.yaml"), "utf8")));
  return path;
}

describe("envoy/", () => {
  it("every bootstrap passes go-control-plane's schema, Validate rules and cluster references", async () => {
    const result = await validate(
      "envoy",
      "envoy/sidecar.yaml",
      "envoy/sidecar-loopback.yaml",
      "envoy/alb.yaml",
    );
    expect(result).toMatchObject({ code: 0, stdout: "ok\n" });
  });

  it.each([
    [
      "a typo'd field",
      (t: string) => t.replace("failure_mode_allow: false", "failure_mode_alow: false"),
      'unknown field "failure_mode_alow"',
    ],
    [
      "a missing cluster",
      (t: string) => t.replace("cluster_name: openclaw_authz}", "cluster_name: authz_typo}"),
      'cluster "authz_typo", which is not defined',
    ],
    [
      "a route to a missing cluster",
      (t: string) => t.replace("route: {cluster: openclaw,", "route: {cluster: nowhere,"),
      'cluster "nowhere"',
    ],
    [
      "an invalid value inside typed_config",
      (t: string) => t.replace("max_request_bytes: 65536", "max_request_bytes: 0"),
      "MaxRequestBytes",
    ],
    [
      "a typo'd access log format",
      (t: string) => t.replace("json_format:", "json_formatt:"),
      'unknown field "json_formatt"',
    ],
    [
      "an MCP filter reading more than its 10 MiB",
      (t: string) => t.replace("max_request_body_size: 65536", "max_request_body_size: 10485761"),
      "invalid Mcp.MaxRequestBodySize: value must be less than or equal to 10485760",
    ],
    [
      "an unknown @type",
      (t: string) => t.replace("ext_authz.v3.ExtAuthz\n", "ext_authz.v3.ExtAuthzz\n"),
      "ExtAuthzz",
    ],
  ])("rejects %s", async (name, edit, message) => {
    const result = await validate("envoy", await variant(`${name}.yaml`, edit));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
  });

  const BOOTSTRAPS = ["envoy/sidecar.yaml", "envoy/sidecar-loopback.yaml", "envoy/alb.yaml"];
  const DECISION_ID = "%DYNAMIC_METADATA(envoy.filters.http.ext_authz:decision_id)%";
  const EXT_AUTHZ = "envoy.filters.http.ext_authz";
  const connectionManager = (config: Json) =>
    config.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;

  it.each(BOOTSTRAPS)(
    "%s logs every request with the sidecar's decision id, sends it back, and packs bodies as bytes",
    async (file) => {
      const hcm = connectionManager(parse(await readFile(join(ROOT, file), "utf8")) as Json);
      const [log, ...otherLogs] = hcm.access_log;
      expect(otherLogs).toEqual([]);
      expect(log.typed_config["@type"]).toBe(
        "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog",
      );
      const format = log.typed_config.log_format;
      expect(format.json_format).toMatchObject({
        decision_id: DECISION_ID,
        status: "%RESPONSE_CODE%",
        path: "%REQ_WITHOUT_QUERY(X-ENVOY-ORIGINAL-PATH?:PATH)%",
      });
      // A query string may carry a token: no field of the line reads the full path.
      expect(JSON.stringify(format.json_format)).not.toMatch(
        /%REQ\(:?PATH\)%|%REQ\(X-ENVOY-ORIGINAL-PATH\?:PATH\)%/,
      );
      expect(format.formatters.map((f: Json) => f.name)).toEqual([
        "envoy.formatter.req_without_query",
      ]);
      const header = { key: "x-openclaw-authz-decision-id", value: DECISION_ID };
      expect(hcm.route_config.response_headers_to_add).toEqual([
        { header, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" },
      ]);
      const [mapper] = hcm.local_reply_config.mappers;
      expect(mapper.filter.metadata_filter).toEqual({
        matcher: {
          filter: "envoy.filters.http.ext_authz",
          path: [{ key: "decision_id" }],
          value: { present_match: true },
        },
        match_if_key_not_found: false,
      });
      expect(mapper.headers_to_add).toEqual([
        { header, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" },
      ]);
      const authz = hcm.http_filters.find((f: Json) => f.name === "envoy.filters.http.ext_authz");
      expect(authz.typed_config.with_request_body.pack_as_bytes).toBe(true);
    },
  );

  it.each(BOOTSTRAPS)(
    "%s runs Envoy's MCP filter before ext_authz on the MCP route only, forwards its metadata, buffers the body",
    async (file) => {
      const wiring = mcpWiring(parse(await readFile(join(ROOT, file), "utf8")) as Json);
      expect(wiring.filters).toEqual([MCP_FILTER, EXT_AUTHZ, "envoy.filters.http.router"]);
      expect(wiring).toMatchObject(MCP_ON);
      // The filter reads as much of the body as ext_authz sends; the MCP route keeps that body
      // and the destination region of every other route.
      expect(wiring.mcpFilter.max_request_body_size).toBe(wiring.body.max_request_bytes);
      const routes = connectionManager(parse(await readFile(join(ROOT, file), "utf8")) as Json)
        .route_config.virtual_hosts[0].routes;
      const catchAll = routes.find((r: Json) => r.name === "openclaw");
      expect(routes.indexOf(wiring.mcpRoute)).toBeLessThan(routes.indexOf(catchAll));
      expect(wiring.mcpRoute.typed_per_filter_config[EXT_AUTHZ]).toEqual(
        catchAll.typed_per_filter_config?.[EXT_AUTHZ],
      );
      // The route takes exactly the paths the sidecar's default policy.mcp.paths take.
      expect(wiring.routeTakes).toEqual(wiring.sidecarTakes);
      expect(wiring.routeTakes).toEqual([
        "/mcp",
        "/mcp/",
        "/mcp/messages",
        "/mcp/a/b",
        "/api/v1/tenants/acme/mcp",
      ]);
    },
  );

  it("the metadata key the access log reads is the one the sidecar answers with", async () => {
    const config = join(dir, "decision-id-config.yaml");
    await writeFile(config, stringify({ policy: { bundle: built("build/policy/bundle.tar.gz") } }));
    const request = { attributes: { request: { http: { method: "GET", path: "/" } } } };
    const result = await run(
      "node",
      [built("dist/main.js"), "check", "--config", config, "-"],
      JSON.stringify(request),
    );
    const { response } = JSON.parse(result.stdout);
    const key = /^%DYNAMIC_METADATA\(envoy\.filters\.http\.ext_authz:(\w+)\)%$/.exec(
      DECISION_ID,
    )?.[1];
    expect(response.dynamicMetadata[key as string]).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });

  it("sidecar-loopback.yaml is generated from sidecar.yaml (scripts/envoy-loopback.mjs)", async () => {
    const out = join(dir, "sidecar-loopback.yaml");
    await exec("node", [join(ROOT, "scripts/envoy-loopback.mjs"), out]);
    expect(await readFile(join(ROOT, "envoy/sidecar-loopback.yaml"), "utf8")).toBe(
      await readFile(out, "utf8"),
    );
  });

  it("is the hardened sidecar pattern", async () => {
    const config = parse(await readFile(join(ROOT, "envoy/sidecar.yaml"), "utf8")) as Json;
    expect(config.admin.address.socket_address.address).toBe("127.0.0.1");
    const chain = config.static_resources.listeners[0].filter_chains[0];
    const tls = chain.transport_socket.typed_config;
    expect(tls.require_client_certificate).toBe(true);
    expect(tls.common_tls_context.tls_params).toEqual({
      tls_minimum_protocol_version: "TLSv1_3",
      tls_maximum_protocol_version: "TLSv1_3",
    });
    expect(tls.common_tls_context.validation_context.match_typed_subject_alt_names[0]).toEqual({
      san_type: "URI",
      matcher: { prefix: "spiffe://prod.openclaw.internal/" },
    });
    const hcm = chain.filters[0].typed_config;
    expect(hcm.forward_client_cert_details).toBe("SANITIZE_SET");
    const authz = hcm.http_filters.find((f: Json) => f.name === EXT_AUTHZ).typed_config;
    expect(authz).toMatchObject({
      failure_mode_allow: false,
      include_peer_certificate: true,
      with_request_body: { max_request_bytes: 65536, allow_partial_message: true },
      grpc_service: { timeout: "0.25s" },
    });
    const disabled = hcm.route_config.virtual_hosts[0].routes.filter(
      (r: Json) => r.typed_per_filter_config?.["envoy.filters.http.ext_authz"]?.disabled,
    );
    expect(disabled.map((r: Json) => r.match)).toEqual([{ path: "/envoy/healthz" }]);
    const socket = config.static_resources.clusters.find((c: Json) => c.name === "openclaw_authz");
    expect(socket.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.pipe.path).toBe(
      "/run/openclaw-authz/authz.sock",
    );
  });
});

describe("scripts/pki", () => {
  let pki: string;
  beforeAll(async () => {
    pki = join(dir, "pki");
    await exec("bash", [join(ROOT, "scripts/pki"), pki]);
  });

  it("issues 24 h SVIDs that openssl verifies, with one URI SAN and the right key usages", async () => {
    for (const name of ["envoy", "openclaw", "planner", "test-client"]) {
      const { stdout } = await exec("openssl", [
        "verify",
        "-CAfile",
        join(pki, "root/root.pem"),
        "-untrusted",
        join(pki, "ca/ca.pem"),
        join(pki, name, "leaf.pem"),
      ]);
      expect(stdout).toContain(": OK");
      const text = (
        await exec("openssl", ["x509", "-in", join(pki, name, "leaf.pem"), "-noout", "-text"])
      ).stdout;
      expect(text.match(/URI:spiffe:\/\//g)).toHaveLength(1);
      expect(text).toMatch(/Key Usage: critical\s+Digital Signature/);
      expect(text).toContain("TLS Web Server Authentication, TLS Web Client Authentication");
      expect(text).toContain("CA:FALSE");
      const { stdout: dates } = await exec("openssl", [
        "x509",
        "-in",
        join(pki, name, "leaf.pem"),
        "-noout",
        "-startdate",
        "-enddate",
      ]);
      const [start, end] = dates
        .trim()
        .split("\n")
        .map((line) => Date.parse(line.split("=")[1] as string));
      expect(((end as number) - (start as number)) / 3_600_000).toBe(24);
      expect((await stat(join(pki, name, "svid-key.pem"))).mode & 0o777).toBe(0o600);
    }
    expect((await stat(join(pki, "root/root-key.pem"))).mode & 0o777).toBe(0o600);
  });

  it("the sidecar's own SVID checks accept them, with the intermediate from XFCC", async () => {
    const config = join(dir, "pki-config.yaml");
    await writeFile(
      config,
      stringify({
        policy: { bundle: built("build/policy/bundle.tar.gz") },
        identity: {
          spiffe: {
            trustDomains: { "prod.openclaw.internal": join(pki, "planner/bundle.pem") },
            xfccIntermediates: true,
          },
        },
      }),
    );
    const leaf = await readFile(join(pki, "planner/leaf.pem"), "utf8");
    const chain = await readFile(join(pki, "planner/svid.pem"), "utf8");
    const request = {
      attributes: {
        source: { certificate: encodeURIComponent(leaf) },
        request: {
          http: {
            method: "POST",
            path: "/api/v1/tenants/acme/agents/a1/runs",
            headers: {
              "x-forwarded-client-cert": `Chain="${encodeURIComponent(chain)}";URI=spiffe://prod.openclaw.internal/ns/agents/sa/planner`,
            },
          },
        },
      },
    };
    const result = await run(
      "node",
      [built("dist/main.js"), "check", "--config", config, "-"],
      JSON.stringify(request),
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).identity).toMatchObject({
      subject: "spiffe://prod.openclaw.internal/ns/agents/sa/planner",
      methods: ["x509-svid"],
    });
  });
});

describe("dist/", () => {
  // V8 keeps each script's source for lazy compilation, as a two-byte string if any character is
  // outside Latin-1 and one byte each otherwise (scripts/bundle.mjs): an em dash in a comment
  // doubled main.js in the heap.
  it("the bundled scripts are ASCII only", async () => {
    for (const script of ["main.js", "policy/evaluation-worker.js", "tracing/span-thread.js"]) {
      const bytes = await readFile(built(join("dist", script)));
      expect(bytes.length).toBeGreaterThan(100_000);
      expect(
        bytes.findIndex((byte) => byte > 0x7f),
        script,
      ).toBe(-1);
    }
  });
});

describe("Dockerfile", () => {
  // A V8 flag NODE_OPTIONS refuses, so each way of starting the sidecar passes it itself.
  it("the image, scripts/start and the package's bin start node alike, V8's regex tier-up off", async () => {
    expect(IMAGE_NODE_ARGS).toEqual(["--no-regexp-tier-up"]);
    const flags = IMAGE_NODE_ARGS.join(" ");
    const start = await readFile(join(ROOT, "scripts/start"), "utf8");
    expect(start).toContain(`exec node ${flags} "$ROOT/dist/main.js" serve`);
    const main = await readFile(built("dist/main.js"), "utf8");
    expect(main.split("\n")[0]).toBe(`#!/usr/bin/env -S node ${flags}`);
    // The shebang works as written (coreutils' env -S): the bin runs by itself.
    const { stdout } = await promisify(execFile)(built("dist/main.js"), ["--version"]);
    expect(stdout).toMatch(/^openclaw-authz \d+\.\d+\.\d+/);
  });

  it("parses cleanly, and a broken one does not", async () => {
    const text = await readFile(join(ROOT, "Dockerfile"), "utf8");
    expect(validateDockerfile(text)).toEqual([]);
    expect(validateDockerfile(`${text}\nRUNN echo\nEXPOSE port\n`).length).toBeGreaterThan(0);
  });

  it("copies only what exists, builds with the README's scripts/setup, runs non-root on pinned images", async () => {
    const text = await readFile(join(ROOT, "Dockerfile"), "utf8");
    const copies = [...text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
      (m[1] as string).split(/\s+/),
    );
    for (const source of copies) await expect(stat(join(ROOT, source))).resolves.toBeTruthy();
    expect(text).toMatch(/^RUN bash scripts\/setup/m);
    expect(text).toMatch(/^USER 1000:1000$/m);
    for (const image of [...text.matchAll(/^ARG \w+_IMAGE=(\S+)$/gm)].map((m) => m[1] as string)) {
      expect(image).toMatch(/:[\w.-]*\d[\w.-]*$/);
      expect(image).not.toMatch(/:latest$/);
    }
    expect(text).not.toMatch(/^(ENV|ARG) .*(PASSWORD|TOKEN|SECRET)/im);
  });
});

describe("the image", () => {
  const stage = async () => runtimeStage(await readFile(join(ROOT, "Dockerfile"), "utf8"));

  it("runs in production mode and carries the OCI labels, its version the package's and the chart's", async () => {
    const { env, labels } = await stage();
    expect(env.NODE_ENV).toBe("production");
    const version = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")).version;
    const chart = parse(await readFile(join(CHART, "Chart.yaml"), "utf8")) as Json;
    expect(chart.appVersion).toBe(version);
    expect(labels).toMatchObject({
      "org.opencontainers.image.title": "openclaw-authz",
      "org.opencontainers.image.version": version,
      "org.opencontainers.image.licenses": "Apache-2.0",
      "org.opencontainers.image.base.name": expect.stringMatching(/^node:\d+\.\d+\.\d+-alpine/),
    });
    for (const key of ["revision", "created", "description"])
      expect(labels).toHaveProperty(`org.opencontainers.image.${key}`);
  });

  // No Docker engine here: the runtime stage is laid out as its COPY lines say (the build stage's
  // files taken from this checkout, which scripts/setup and the stage's lab-identity step built),
  // and its ENTRYPOINT + CMD started with its ENV, in a network namespace of its own when the
  // machine allows one (the demo config listens on fixed loopback ports, as in the container).
  it("a bare `docker run` serves the demo config: its HEALTHCHECK passes, /readyz is 200, SIGTERM exits 0", async () => {
    const image = await stage();
    expect(image.command).toEqual(["node", ...IMAGE_NODE_ARGS, "dist/main.js", "serve"]);
    const dockerfile = await readFile(join(ROOT, "Dockerfile"), "utf8");
    expect(dockerfile).toMatch(/&& node scripts\/lab-identity\.mjs$/m);
    // The build stage's lab identity, made apart: build/lab of the checkout is the README demo's
    // (test/cli.test.ts), which a second writer at the same time could mix up.
    const build = join(dir, "image-build");
    for (const script of ["lab-identity.mjs", "pki"])
      await cp(join(ROOT, "scripts", script), join(build, "scripts", script));
    await symlink(join(ROOT, "node_modules"), join(build, "node_modules"));
    await exec("node", [join(build, "scripts/lab-identity.mjs")]);
    const root = join(dir, "image");
    await stageImage(
      image,
      (source) => join(source.startsWith("build/lab/") ? build : ROOT, source),
      root,
    );
    const cwd = join(root, image.workdir);
    const env = {
      ...process.env,
      ...Object.fromEntries(
        Object.entries(image.env).map(([k, v]) => [k, v.startsWith("/") ? join(root, v) : v]),
      ),
    };
    const isolated = (await run("unshare", ["-n", "true"])).code === 0;
    const [command, ...args] = isolated
      ? ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$0" "$@"', ...image.command]
      : image.command;
    const server = spawn(command as string, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const output: string[] = [];
    server.stdout.on("data", (chunk) => output.push(String(chunk)));
    server.stderr.on("data", (chunk) => output.push(String(chunk)));
    const exited = new Promise<number | null>((resolve) => server.once("exit", resolve));
    const inImage = (argv: string[]) => {
      const [program, ...rest] = isolated
        ? ["nsenter", "-t", String(server.pid), "-n", ...argv]
        : argv;
      return new Promise<number>((resolve) =>
        execFile(program as string, rest, { cwd, env }, (error) => resolve(error ? 1 : 0)),
      );
    };
    try {
      expect(await until(async () => (await inImage(image.healthcheck)) === 0, 20_000, 200)).toBe(
        true,
      );
      const readyz =
        "fetch('http://127.0.0.1:9292/readyz').then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))";
      expect(await inImage(["node", "-e", readyz])).toBe(0);
    } finally {
      server.kill("SIGTERM");
    }
    expect(await exited, output.join("")).toBe(0);
    // The demo config's bundle, not the no-file defaults (which load none and deny all).
    const demo = parse(await readFile(join(ROOT, "config/demo.yaml"), "utf8")) as Json;
    const loaded = output
      .join("")
      .split("\n")
      .filter((line) => line.includes('"policy loaded"'))
      .map((line) => JSON.parse(line).origin);
    expect(loaded).toEqual([demo.policy.bundle]);
  });
});

describe("the pinned OPA version", () => {
  const pin = async () =>
    /^OPA_VERSION="(v[^"]+)"$/m.exec(await readFile(join(ROOT, "scripts/lib.sh"), "utf8"))?.[1];

  // go.mod cannot read a variable: its require line must say what scripts/lib.sh pins.
  it.each(["scripts/rego-parser/go.mod", "test/oracle/go.mod"])(
    "%s requires the opa module scripts/lib.sh pins",
    async (file) => {
      const version = await pin();
      expect(version).toMatch(/^v\d+\.\d+\.\d+$/);
      const gomod = await readFile(join(ROOT, file), "utf8");
      expect(
        [...gomod.matchAll(/github\.com\/open-policy-agent\/opa (\S+)/g)].map((m) => m[1]),
      ).toEqual([version]);
    },
  );

  it("the Dockerfile installs opa through scripts/lib.sh, naming no version of its own", async () => {
    const text = await readFile(join(ROOT, "Dockerfile"), "utf8");
    expect(text).toMatch(/^RUN bash -c 'source scripts\/lib\.sh && ensure_opa'$/m);
    expect(text).not.toMatch(/open-policy-agent\/opa@|^ARG OPA_VERSION/m);
  });
});

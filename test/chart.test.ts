/**
 * The Helm chart, rendered by the pinned `helm` over values variations: `helm lint`, every
 * manifest strictly decoded into its k8s.io/api type (test/validate), the Envoy bootstrap through
 * go-control-plane, the sidecar's config through the sidecar's own schema, and what each value is
 * for asserted on the rendered objects.
 */
import { execFile } from "node:child_process";
import { once } from "node:events";
import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { configJsonSchema, resolveConfig } from "../src/config/index.js";
import { MCP_FILTER, MCP_ON, mcpWiring } from "./support/envoy-mcp.js";
import { ROOT, tool } from "./support/paths.js";
import { run, runToEnd } from "./support/processes.js";

const CHART = join(ROOT, "charts/openclaw-authz");
const VALUES = [
  "ci/default-values.yaml",
  "ci/production-values.yaml",
  "ci/existing-openclaw-values.yaml",
];
/** Ports Istio's sidecar listens on (15021 its health port), 15000–15090. */
const ISTIO = { min: 15000, max: 15090 };

// biome-ignore lint/suspicious/noExplicitAny: parsed manifests walked ad hoc; a wrong path throws or mismatches, failing the test
type Json = Record<string, any>;

const helm = (...args: string[]) => runToEnd(tool("helm"), args);
async function render(values?: string, ...sets: string[]): Promise<Json[]> {
  const result = await helm(
    "template",
    "oc",
    CHART,
    "--namespace",
    "apps",
    ...(values ? ["-f", join(CHART, values)] : []),
    ...sets.flatMap((s) => ["--set", s]),
  );
  if (result.code !== 0) throw new Error(result.stderr);
  // YAML 1.1, as Kubernetes reads manifests (`0400` is octal there).
  return parseAllDocuments(result.stdout, { version: "1.1" })
    .map((d) => d.toJSON() as Json)
    .filter(Boolean);
}
const find = (list: Json[], kind: string) => list.filter((d) => d.kind === kind);
const pod = (list: Json[]) => find(list, "Deployment")[0]?.spec.template.spec;
const container = (list: Json[], name: string) =>
  pod(list).containers.find((c: Json) => c.name === name);
const configMap = (list: Json[], suffix: string) =>
  find(list, "ConfigMap").find((c) => c.metadata.name.endsWith(suffix));
const envoyConfig = (list: Json[]) => parse(configMap(list, "-envoy")?.data["envoy.yaml"]) as Json;
const authzConfig = (list: Json[]) => parse(configMap(list, "-authz")?.data["config.yaml"]) as Json;
/** The rendered Envoy bootstrap through the Envoy validator (test/validate). */
async function validateEnvoy(list: Json[], name: string) {
  const path = join(dir, `envoy-${name.replace(/\W/g, "_")}.yaml`);
  await writeFile(path, configMap(list, "-envoy")?.data["envoy.yaml"]);
  return runToEnd(tool("validate"), ["envoy", path]);
}
const testPod = (list: Json[]) =>
  find(list, "Pod").find((p) => p.metadata.annotations?.["helm.sh/hook"] === "test");
const tlsContext = (config: Json) =>
  config.static_resources.listeners[0].filter_chains[0].transport_socket.typed_config
    .common_tls_context;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "oc-chart-"));
});

describe("charts/openclaw-authz: every values file", () => {
  it.each(VALUES)(
    "%s: helm lint, helm template, and every manifest decodes strictly into k8s.io/api types",
    async (values) => {
      expect((await helm("lint", CHART, "-f", join(CHART, values))).code).toBe(0);
      const rendered = await helm("template", "oc", CHART, "-f", join(CHART, values));
      const result = await runToEnd(tool("validate"), ["k8s", "-"], rendered.stdout);
      expect(result).toMatchObject({ code: 0, stdout: "ok\n" });
    },
  );

  it.each(VALUES)("%s: the rendered Envoy bootstrap passes the Envoy validator", async (values) => {
    const result = await validateEnvoy(await render(values), values);
    expect(result).toMatchObject({ code: 0 });
  });

  it.each(VALUES)(
    "%s: the rendered sidecar config passes the sidecar's own schema",
    async (values) => {
      const config = resolveConfig(authzConfig(await render(values)));
      expect(config.listen.grpc).toBe("unix:///run/openclaw-authz/authz.sock");
    },
  );

  it.each(VALUES)("%s: no two ports of the pod alike, none of them Istio's", async (values) => {
    const list = await render(values);
    const ports = pod(list).containers.flatMap((c: Json) =>
      (c.ports ?? []).map((p: Json) => p.containerPort),
    );
    const envoy = envoyConfig(list);
    const listening = [
      envoy.admin.address.socket_address.port_value,
      ...envoy.static_resources.listeners.map((l: Json) => l.address.socket_address.port_value),
    ];
    for (const port of new Set([...ports, ...listening]))
      expect(port < ISTIO.min || port > ISTIO.max, `port ${port}`).toBe(true);
    expect(new Set(ports).size).toBe(ports.length);
    expect(new Set(listening).size).toBe(listening.length);
  });
});

describe("charts/openclaw-authz: defaults", () => {
  it("renders envoy/sidecar.yaml, Envoy's health route moved to the plain listener beside its stats", async () => {
    const chart = envoyConfig(await render());
    const source = parse(await readFile(join(ROOT, "envoy/sidecar.yaml"), "utf8")) as Json;
    const host =
      source.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config
        .virtual_hosts[0];
    const health = host.routes.find((r: Json) => r.name === "envoy_health");
    host.routes = host.routes.filter((r: Json) => r !== health);
    const [mtls, plain, ...others] = chart.static_resources.listeners;
    expect(others).toEqual([]);
    const admin = chart.static_resources.clusters.find((c: Json) => c.name === "envoy_admin");
    expect({
      ...chart,
      static_resources: {
        listeners: [mtls],
        clusters: chart.static_resources.clusters.filter((c: Json) => c !== admin),
      },
    }).toEqual(source);
    const routes =
      plain.filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes;
    expect(routes).toEqual([
      { match: health.match, direct_response: health.direct_response },
      { match: { path: "/stats/prometheus" }, route: { cluster: "envoy_admin" } },
    ]);
    expect(admin.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address).toEqual({
      socket_address: {
        address: "127.0.0.1",
        port_value: chart.admin.address.socket_address.port_value,
      },
    });
  });

  it("is hardened: non-root, read-only, no escalation, no capabilities, seccomp", async () => {
    const list = await render();
    const spec = pod(list);
    for (const p of [spec, testPod(list)?.spec]) {
      expect(p.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(p.automountServiceAccountToken).toBe(false);
      for (const c of p.containers) {
        expect(c.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        });
      }
    }
    expect(spec.containers.map((c: Json) => c.name)).toEqual(["openclaw", "envoy", "authz"]);
  });

  it("bounds the sidecar's V8 heap by authz.heapMiB, as the image does by default", async () => {
    const nodeOptions = async (...sets: string[]) =>
      container(await render(undefined, ...sets), "authz").env.find(
        (e: Json) => e.name === "NODE_OPTIONS",
      )?.value;
    const image = /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(
      await readFile(join(ROOT, "Dockerfile"), "utf8"),
    )?.[1];
    expect(await nodeOptions()).toBe(image);
    expect(await nodeOptions("authz.heapMiB=384")).toBe(
      "--max-semi-space-size=8 --max-old-space-size=384",
    );
  });

  it("shares the Unix socket, probes over gRPC, and never gives the sidecar the SVID key", async () => {
    const list = await render();
    const spec = pod(list);
    const socketMount = (c: Json) =>
      c.volumeMounts.find((m: Json) => m.name === "authz-socket")?.mountPath;
    expect(socketMount(container(list, "envoy"))).toBe("/run/openclaw-authz");
    const authz = container(list, "authz");
    expect(socketMount(authz)).toBe("/run/openclaw-authz");
    expect(spec.volumes.find((v: Json) => v.name === "authz-socket").emptyDir).toMatchObject({
      medium: "Memory",
    });
    expect(authz.readinessProbe.grpc.port).toBe(9190);
    expect(authz.startupProbe.grpc.port).toBe(9190);
    const secretsSeen = authz.volumeMounts.map(
      (m: Json) => spec.volumes.find((v: Json) => v.name === m.name)?.secret,
    );
    for (const secret of secretsSeen.filter(Boolean))
      expect(secret.items).toEqual([{ key: "bundle.pem", path: "bundle.pem" }]);
    expect(authzConfig(list).listen.grpc).toBe("unix:///run/openclaw-authz/authz.sock");
  });
});

describe("charts/openclaw-authz: Envoy's MCP filter (envoy.mcp)", () => {
  const EXT_AUTHZ = "envoy.filters.http.ext_authz";
  const ROUTER = "envoy.filters.http.router";

  it.each(VALUES)(
    "%s: on, before ext_authz, on the MCP route only, its metadata forwarded",
    async (values) => {
      const wiring = mcpWiring(envoyConfig(await render(values)));
      expect(wiring.filters).toEqual([MCP_FILTER, EXT_AUTHZ, ROUTER]);
      expect(wiring).toMatchObject(MCP_ON);
      expect(wiring.mcpFilter.max_request_body_size).toBe(wiring.body.max_request_bytes);
      expect(wiring.routeTakes).toEqual(wiring.sidecarTakes);
    },
  );

  it("reads at most the 10 MiB Envoy allows it while ext_authz sends more, and stays valid", async () => {
    const list = await render(undefined, "envoy.maxRequestBytes=20000000");
    const wiring = mcpWiring(envoyConfig(list));
    expect(wiring.mcpFilter.max_request_body_size).toBe(10485760);
    expect(wiring.body.max_request_bytes).toBe(20000000);
    expect(await validateEnvoy(list, "mcp-big-body")).toMatchObject({ code: 0 });
  });

  it("envoy.mcp.enabled=false leaves out the filter and its namespace, keeps the stream route, renders for an older Envoy", async () => {
    const list = await render(undefined, "envoy.mcp.enabled=false", "envoy.image.tag=v1.36.2");
    expect(container(list, "envoy").image).toBe("envoyproxy/envoy:v1.36.2");
    const wiring = mcpWiring(envoyConfig(list));
    expect(wiring.filters).toEqual([EXT_AUTHZ, ROUTER]);
    expect(wiring.forwarded).toBeUndefined();
    expect(wiring.enabledOn).toEqual([]);
    expect(wiring.mcpRoute.route).toEqual({ cluster: "openclaw", timeout: "0s" });
    expect(await validateEnvoy(list, "mcp-off")).toMatchObject({ code: 0 });
  });

  it("envoy.mcp.pathRegex is the MCP route's", async () => {
    const config = envoyConfig(await render(undefined, "envoy.mcp.pathRegex=/agents/[^/]+/mcp"));
    expect(mcpWiring(config).mcpRoute.match).toEqual({
      safe_regex: { regex: "/agents/[^/]+/mcp" },
    });
  });

  it.each(["v1.36.2", "distroless-v1.35.0"])(
    "refuses the filter with an Envoy older than 1.37 (%s)",
    async (tag) => {
      const result = await helm("template", "oc", CHART, "--set", `envoy.image.tag=${tag}`);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `envoy.mcp.enabled: Envoy's MCP filter needs Envoy 1.37 or later, and envoy.image.tag is ${tag}`,
      );
    },
  );
});

describe("charts/openclaw-authz: names, images", () => {
  it("nameOverride and fullnameOverride name every resource, within 63 characters", async () => {
    const names = (list: Json[]) => list.map((d) => `${d.kind}/${d.metadata.name}`).sort();
    expect(names(await render(undefined, "nameOverride=claw"))).toContain("Deployment/oc-claw");
    const long = "x".repeat(63);
    const list = await render(undefined, `fullnameOverride=${long}`);
    expect(find(list, "Deployment")[0]?.metadata.name).toBe(long);
    for (const service of find(list, "Service"))
      expect(service.metadata.name.length).toBeLessThanOrEqual(63);
    expect(testPod(list)?.metadata.name.length).toBeLessThanOrEqual(63);
    const claw = await render(undefined, "nameOverride=claw");
    expect(find(claw, "Deployment")[0]?.spec.selector.matchLabels).toEqual({
      "app.kubernetes.io/name": "claw",
      "app.kubernetes.io/instance": "oc",
    });
  });

  it("images: repository, tag (default appVersion) or digest, pull policy, pull secrets", async () => {
    const chart = parse(await readFile(join(CHART, "Chart.yaml"), "utf8")) as Json;
    const defaults = await render();
    expect(container(defaults, "authz").image).toBe(
      `ghcr.io/openclaw/openclaw-authz:${chart.appVersion}`,
    );
    expect(pod(defaults).imagePullSecrets).toBeUndefined();
    const production = await render("ci/production-values.yaml");
    expect(container(production, "authz").image).toBe(
      "registry.internal/openclaw-authz@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    );
    expect(container(production, "envoy")).toMatchObject({
      image: "registry.internal/envoyproxy/envoy:v1.37.0",
      imagePullPolicy: "Always",
    });
    for (const p of [pod(production), testPod(production)?.spec])
      expect(p.imagePullSecrets).toEqual([{ name: "registry-internal" }]);
    expect(testPod(production)?.spec.containers[0].image).toBe(
      container(production, "authz").image,
    );
  });
});

describe("charts/openclaw-authz: an existing OpenClaw Deployment", () => {
  it("keeps the container's name, ports, mounts, pull policy, lifecycle; merges its securityContext over the chart's", async () => {
    const list = await render("ci/existing-openclaw-values.yaml");
    const openclaw = pod(list).containers[0];
    expect(openclaw).toMatchObject({
      name: "gateway",
      image: "registry.internal/openclaw:2.4.1",
      imagePullPolicy: "Always",
      ports: [{ name: "gateway", containerPort: 3000, protocol: "TCP" }],
      lifecycle: { preStop: { exec: { command: ["/bin/openclaw", "drain"] } } },
    });
    expect(openclaw.volumeMounts).toEqual([
      { name: "tmp", mountPath: "/tmp", subPath: "openclaw" },
      { name: "data", mountPath: "/var/lib/openclaw" },
    ]);
    expect(openclaw.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      privileged: false,
      readOnlyRootFilesystem: false,
      runAsUser: 20001,
    });
    const upstream = envoyConfig(list).static_resources.clusters.find(
      (c: Json) => c.name === "openclaw",
    );
    expect(upstream.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address).toEqual({
      socket_address: { address: "127.0.0.1", port_value: 3000 },
    });
  });

  it("without a lifecycle of its own, OpenClaw sleeps through Envoy's drain; its own /tmp mount is not doubled", async () => {
    const list = await render(
      undefined,
      "openclaw.container.volumeMounts[0].name=scratch",
      "openclaw.container.volumeMounts[0].mountPath=/tmp",
    );
    const openclaw = container(list, "openclaw");
    expect(openclaw.lifecycle).toEqual({ preStop: { sleep: { seconds: 10 } } });
    expect(openclaw.volumeMounts).toEqual([{ name: "scratch", mountPath: "/tmp" }]);
  });

  it.each([
    "readinessProbe.httpGet.port=8080",
    "livenessProbe.tcpSocket.port=8080",
    "startupProbe.grpc.port=8080",
  ])("refuses an OpenClaw probe the kubelet cannot reach on loopback (%s)", async (probe) => {
    const result = await helm("template", "oc", CHART, "--set", `openclaw.container.${probe}`);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("the kubelet probes the pod's IP");
  });
});

describe("charts/openclaw-authz: trust domains", () => {
  it("one bundle per trust domain, to the sidecar from its own ConfigMap or Secret key", async () => {
    const list = await render("ci/production-values.yaml");
    const { trustDomains } = resolveConfig(authzConfig(list)).identity.spiffe ?? {};
    expect(trustDomains).toEqual({
      "prod.openclaw.internal": "/etc/openclaw-authz/trust/prod.openclaw.internal/bundle.pem",
      "agents.openclaw.internal": "/etc/openclaw-authz/trust/agents.openclaw.internal/bundle.pem",
    });
    const spec = pod(list);
    const source = (path: string) => {
      const mount = container(list, "authz").volumeMounts.find(
        (m: Json) => `${m.mountPath}/bundle.pem` === path,
      );
      return spec.volumes.find((v: Json) => v.name === mount?.name);
    };
    expect(source(trustDomains?.["prod.openclaw.internal"] as string).configMap).toEqual({
      name: "spire-bundle",
      items: [{ key: "bundle.crt", path: "bundle.pem" }],
    });
    expect(source(trustDomains?.["agents.openclaw.internal"] as string).configMap).toEqual({
      name: "agents-trust-bundle",
      items: [{ key: "bundle.crt", path: "bundle.pem" }],
    });
  });

  it("Envoy: one domain trusts its CA file; several use the SPIFFE validator, a bundle each; over SDS, SPIRE's ALL", async () => {
    const single = tlsContext(envoyConfig(await render())).validation_context;
    expect(single.trusted_ca).toEqual({ filename: "/etc/envoy/svid/bundle.pem" });
    expect(single.custom_validator_config).toBeUndefined();

    const list = await render("ci/existing-openclaw-values.yaml");
    const context = tlsContext(envoyConfig(list)).validation_context;
    expect(context.trusted_ca).toBeUndefined();
    expect(context.custom_validator_config).toEqual({
      name: "envoy.tls.cert_validator.spiffe",
      typed_config: {
        "@type":
          "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig",
        trust_domains: [
          {
            name: "prod.openclaw.internal",
            trust_bundle: { filename: "/etc/envoy/svid/bundle.pem" },
          },
          {
            name: "partners.example.org",
            trust_bundle: { filename: "/etc/envoy/trust/partners.example.org/bundle.pem" },
          },
        ],
      },
    });
    expect(context.match_typed_subject_alt_names.map((m: Json) => m.matcher.prefix)).toEqual([
      "spiffe://prod.openclaw.internal/",
      "spiffe://partners.example.org/",
    ]);
    const mount = container(list, "envoy").volumeMounts.find(
      (m: Json) => m.mountPath === "/etc/envoy/trust/partners.example.org",
    );
    expect(pod(list).volumes.find((v: Json) => v.name === mount.name).secret).toMatchObject({
      secretName: "partners-trust-bundle",
      items: [{ key: "bundle.pem", path: "bundle.pem" }],
    });

    const sds = tlsContext(envoyConfig(await render("ci/production-values.yaml")));
    expect(sds.combined_validation_context.validation_context_sds_secret_config.name).toBe("ALL");
    const own = tlsContext(envoyConfig(await render(undefined, "svid.source=csi")));
    expect(own.combined_validation_context.validation_context_sds_secret_config.name).toBe(
      "ROOTCA",
    );
  });

  it("refuses a second trust domain without a bundle of its own", async () => {
    const values = join(dir, "two-domains.yaml");
    await writeFile(
      values,
      "trustDomains: [{name: prod.openclaw.internal}, {name: other.example}]\n",
    );
    const result = await helm("template", "oc", CHART, "-f", values);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "trustDomains[1] (other.example): set bundle ({configMap: NAME} or {secret: NAME})",
    );
  });
});

describe("charts/openclaw-authz: the sidecar's config", () => {
  it("values.schema.json holds the sidecar's own config schema at authz.config (scripts/chart-config-schema.mjs)", async () => {
    const schema = JSON.parse(await readFile(join(CHART, "values.schema.json"), "utf8"));
    const { $comment: _, ...embedded } = schema.properties.authz.properties.config;
    expect(embedded).toEqual(configJsonSchema(["listen"]));
  });

  it("dry run, the remote decision log and authz.config reach the config file", async () => {
    const list = await render(
      undefined,
      "authz.policy.dryRun=true",
      "authz.decisionLog.remote.url=https://collector.internal/logs",
      "authz.decisionLog.remote.tokenSecret=collector-token",
      "authz.config.server.workers=4",
      "authz.config.policy.evaluationThreads=3",
    );
    const config = resolveConfig(authzConfig(list));
    expect(config.policy).toMatchObject({ dryRun: true, evaluationThreads: 3 });
    expect(config.policy.bundle).toBe("/etc/openclaw-authz/policy/bundle.tar.gz");
    expect(config.server.workers).toBe(4);
    expect(config.decisionLog.remote).toMatchObject({
      url: "https://collector.internal/logs",
      tokenFile: "/etc/openclaw-authz/decision-log-token/token",
    });
    const mount = container(list, "authz").volumeMounts.find(
      (m: Json) => m.mountPath === "/etc/openclaw-authz/decision-log-token",
    );
    expect(pod(list).volumes.find((v: Json) => v.name === mount.name).secret.secretName).toBe(
      "collector-token",
    );
  });

  it.each([
    [
      "authz.config.server.workers=0",
      "- at '/authz/config/server/workers': minimum: got 0, want 1",
    ],
    [
      "authz.config.cache.bogus=1",
      "- at '/authz/config/cache': additional properties 'bogus' not allowed",
    ],
    [
      "authz.config.listen.grpc=0.0.0.0:1",
      "- at '/authz/config': additional properties 'listen' not allowed",
    ],
    [
      "authz.config.policy.pollInterval=soon",
      "- at '/authz/config/policy/pollInterval': 'soon' does not match pattern '^(\\\\d+)(ms|s|m|h)$'",
    ],
  ])("refuses --set %s with the sidecar schema's message", async (bad, message) => {
    const result = await helm("template", "oc", CHART, "--set", bad);
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n")).toContain(message);
  });
});

describe("charts/openclaw-authz: operations", () => {
  it("a PodDisruptionBudget only with more than one replica", async () => {
    expect(find(await render(), "PodDisruptionBudget")).toHaveLength(1);
    expect(find(await render(undefined, "replicaCount=1"), "PodDisruptionBudget")).toHaveLength(0);
    expect(
      find(await render(undefined, "podDisruptionBudget.enabled=false"), "PodDisruptionBudget"),
    ).toHaveLength(0);
  });

  it("ServiceMonitor: its labels and namespace, the sidecar's /metrics and Envoy's own stats", async () => {
    expect(find(await render(), "ServiceMonitor")).toHaveLength(0);
    const list = await render("ci/production-values.yaml");
    const [monitor] = find(list, "ServiceMonitor");
    expect(monitor?.metadata).toMatchObject({
      namespace: "monitoring",
      labels: { release: "kube-prometheus-stack", "app.kubernetes.io/instance": "oc" },
    });
    expect(monitor?.spec.namespaceSelector).toEqual({ matchNames: ["apps"] });
    expect(monitor?.spec.endpoints).toEqual([
      { port: "metrics", path: "/metrics", interval: "30s" },
      { port: "envoy-stats", path: "/stats/prometheus", interval: "30s" },
    ]);
    // Each endpoint is a port of the metrics Service, whose target is a container port that serves it.
    const service = find(list, "Service").find((s) =>
      Object.entries(monitor?.spec.selector.matchLabels).every(
        ([k, v]) => s.metadata.labels[k] === v,
      ),
    );
    const target = (name: string) =>
      service?.spec.ports.find((p: Json) => p.name === name)?.targetPort;
    const containerPort = (name: string) =>
      pod(list)
        .containers.flatMap((c: Json) => c.ports ?? [])
        .find((p: Json) => p.name === name)?.containerPort;
    expect(containerPort(target("metrics"))).toBe(
      Number(authzConfig(list).listen.admin.split(":")[1]),
    );
    const plain = envoyConfig(list).static_resources.listeners.find(
      (l: Json) => l.name === "health",
    );
    expect(containerPort(target("envoy-stats"))).toBe(plain.address.socket_address.port_value);
  });

  it("NetworkPolicy: opt-in; Envoy's port from ingressFrom (and the helm test pod), metrics from metricsFrom", async () => {
    expect(find(await render(), "NetworkPolicy")).toHaveLength(0);
    const [policy] = find(await render("ci/production-values.yaml"), "NetworkPolicy");
    expect(policy?.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    const [envoy, metrics] = policy?.spec.ingress ?? [];
    expect(envoy.ports).toEqual([{ port: 8443, protocol: "TCP" }]);
    expect(envoy.from).toEqual([
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress" } } },
      {
        podSelector: {
          matchLabels: {
            "app.kubernetes.io/instance": "oc",
            "app.kubernetes.io/component": "helm-test",
          },
        },
      },
    ]);
    expect(metrics.ports).toEqual([
      { port: 9292, protocol: "TCP" },
      { port: 9902, protocol: "TCP" },
    ]);
    expect(metrics.from).toEqual([
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } },
    ]);
  });

  it("on termination Envoy drains first, the sidecar stops after it, and the grace period covers both", async () => {
    const list = await render();
    const envoy = container(list, "envoy");
    const drain = Number(envoy.args[envoy.args.indexOf("--drain-time-s") + 1]);
    expect(envoy.args.slice(envoy.args.indexOf("--drain-strategy"))).toEqual([
      "--drain-strategy",
      "immediate",
    ]);
    expect(envoy.lifecycle.preStop).toEqual({ sleep: { seconds: drain } });
    const [program, ...args] = container(list, "authz").lifecycle.preStop.exec.command;
    expect(program).toBe("node");
    const stopDelay = Number(/\}, (\d+) \* 1000\)\)$/.exec(args.at(-1))?.[1]);
    expect(stopDelay).toBeGreaterThan(drain);
    const { server } = resolveConfig(authzConfig(list));
    expect(pod(list).terminationGracePeriodSeconds).toBeGreaterThanOrEqual(
      stopDelay + server.shutdownGrace / 1000,
    );
  });

  it("authz.cache.redisCluster: cache, revocations and the decision stream on a Redis Cluster, its password from a Secret", async () => {
    const cluster = ["authz.cache.redisCluster.nodes={redis-0.redis:6379,redis-1.redis:6379}"];
    const list = await render(
      undefined,
      ...cluster,
      "authz.cache.redisCluster.passwordSecret=redis-cluster",
      "authz.cache.decisionLogStream=true",
    );
    const config = resolveConfig(authzConfig(list));
    const expected = {
      nodes: ["redis-0.redis:6379", "redis-1.redis:6379"],
      tls: false,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's ${VAR}, substituted at load
      password: "${OPENCLAW_AUTHZ_REDIS_PASSWORD}",
    };
    expect(config.cache.redis?.cluster).toEqual(expected);
    expect(config.decisionLog.redisStream?.cluster).toEqual(expected);
    expect(container(list, "authz").env).toContainEqual({
      name: "OPENCLAW_AUTHZ_REDIS_PASSWORD",
      valueFrom: { secretKeyRef: { name: "redis-cluster", key: "password" } },
    });
    await expect(
      render(undefined, ...cluster, "authz.cache.redisUrl=redis://r:6379"),
    ).rejects.toThrow("authz.cache: set redisUrl or redisCluster.nodes, not both");
  });

  it("the sidecar's preStop asks Envoy's admin to drain gracefully, then outlasts Envoy's preStop", async () => {
    const requests: string[] = [];
    const admin = createHttpServer((request, response) => {
      requests.push(`${request.method} ${request.url}`);
      response.end("OK\n");
    }).listen(0, "127.0.0.1");
    await once(admin, "listening");
    const port = (admin.address() as AddressInfo).port;
    try {
      const list = await render(undefined, `envoy.adminPort=${port}`, "envoy.drainSeconds=1");
      const envoySleep = container(list, "envoy").lifecycle.preStop.sleep.seconds;
      const [program, ...args] = container(list, "authz").lifecycle.preStop.exec.command;
      const started = Date.now();
      await run(program, args);
      expect(requests).toEqual(["POST /drain_listeners?graceful"]);
      expect(Date.now() - started).toBeGreaterThanOrEqual((envoySleep + 5) * 1000);
      expect(envoyConfig(list).admin.address.socket_address.port_value).toBe(port);
    } finally {
      admin.close();
    }
  }, 30_000);

  // `helm template` drops NOTES.txt and `helm install --dry-run` needs a cluster: a copy of the
  // chart renders it with the same engine and values, through `tpl`, as a manifest field.
  it("NOTES.txt: the address, the helm test command, and warnings for dry run, no NetworkPolicy, no PDB", async () => {
    const copy = join(dir, "notes-chart");
    await cp(CHART, copy, { recursive: true });
    await cp(join(CHART, "templates/NOTES.txt"), join(copy, "files/NOTES.txt"));
    await writeFile(
      join(copy, "templates/zz-notes.yaml"),
      'notes: {{ tpl (.Files.Get "files/NOTES.txt") . | toJson }}\n',
    );
    const notes = async (...sets: string[]) => {
      const result = await helm(
        "template",
        "oc",
        copy,
        "--namespace",
        "apps",
        "--show-only",
        "templates/zz-notes.yaml",
        ...sets.flatMap((s) => ["--set", s]),
      );
      expect(result.code, result.stderr).toBe(0);
      return (parse(result.stdout) as { notes: string }).notes;
    };
    const defaults = await notes();
    expect(defaults).toContain("https://oc-openclaw-authz.apps.svc:8443/");
    expect(defaults).toContain("helm test oc -n apps --logs");
    expect(defaults).toContain("No NetworkPolicy");
    expect(defaults).not.toContain("DRY RUN");
    expect(defaults).not.toContain("No PodDisruptionBudget");
    const other = await notes(
      "authz.policy.dryRun=true",
      "networkPolicy.enabled=true",
      "replicaCount=1",
    );
    expect(other).toContain("DRY RUN");
    expect(other).not.toContain("No NetworkPolicy");
    expect(other).toContain("No PodDisruptionBudget");
  });
});

describe("charts/openclaw-authz: helm test", () => {
  it("is a test hook that calls Envoy's Service with the test client's SVID, running files/helm-test.mjs", async () => {
    const list = await render();
    const test = testPod(list);
    expect(test?.metadata.annotations).toMatchObject({ "helm.sh/hook": "test" });
    const [check] = test?.spec.containers ?? [];
    expect(check.command).toEqual(["node", "--input-type=module", "-e"]);
    expect(check.args).toEqual([await readFile(join(CHART, "files/helm-test.mjs"), "utf8")]);
    const env = Object.fromEntries(check.env.map((e: Json) => [e.name, e.value]));
    const [service] = find(list, "Service");
    expect(env).toEqual({
      TARGET: `https://${service?.metadata.name}.apps.svc:${service?.spec.ports[0].port}/`,
      TRUST_DOMAINS: "prod.openclaw.internal",
      SVID_DIR: "/etc/openclaw-authz-test",
    });
    expect(test?.spec.volumes).toEqual([
      {
        name: "client-svid",
        secret: { secretName: "openclaw-authz-test-client", defaultMode: 0o400 },
      },
    ]);
    expect(find(await render(undefined, "tests.enabled=false"), "Pod")).toHaveLength(0);
  });

  describe("files/helm-test.mjs against a TLS server standing in for Envoy", () => {
    let pki: string;
    beforeAll(async () => {
      pki = join(dir, "pki");
      await run("bash", [join(ROOT, "scripts/pki"), pki]);
    });

    const probe = async (decisionId: string | undefined, trustDomains: string) => {
      const read = (path: string) => readFile(join(pki, path));
      const server = createHttpsServer(
        {
          cert: await read("envoy/svid.pem"),
          key: await read("envoy/svid-key.pem"),
          ca: await read("envoy/bundle.pem"),
          requestCert: true,
          rejectUnauthorized: true,
        },
        (_request, response) => {
          if (decisionId) response.setHeader("x-openclaw-authz-decision-id", decisionId);
          response.writeHead(403).end("request denied");
        },
      ).listen(0, "127.0.0.1");
      await once(server, "listening");
      const script = await readFile(join(CHART, "files/helm-test.mjs"), "utf8");
      const env = {
        ...process.env,
        TARGET: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`,
        TRUST_DOMAINS: trustDomains,
        SVID_DIR: join(pki, "test-client"),
      };
      try {
        return await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
          execFile(
            "node",
            ["--input-type=module", "-e", script],
            { env },
            (error, stdout, stderr) =>
              resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
          ),
        );
      } finally {
        server.close();
      }
    };
    const ID = "0b7e8c1e-5c1a-4d0e-9f7e-2d7c9a4b1f00";

    it("passes on an answer with the sidecar's decision id, a deny included", async () => {
      const result = await probe(ID, "prod.openclaw.internal");
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ status: 403, decision_id: ID });
    });

    it("fails on an answer without one (the sidecar did not decide)", async () => {
      const result = await probe(undefined, "prod.openclaw.internal");
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("no decision id");
    });

    it("fails when Envoy's SVID is not of a trust domain of the chart", async () => {
      const result = await probe(ID, "other.example");
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("is not of other.example");
    });
  });
});

describe("charts/openclaw-authz: values.schema.json", () => {
  it.each([
    ["envoy.port=0", "- at '/envoy/port': minimum: got 0, want 1"],
    ["envoy.healthPort=15021", "- at '/envoy/healthPort': 'not' failed"],
    ["svid.source=file", "- at '/svid/source': value must be one of 'secret', 'csi'"],
    [
      "authz.cache.redisUrl=http://x",
      "- at '/authz/cache/redisUrl': 'http://x' does not match pattern '^(rediss?://.+)?$'",
    ],
    [
      "authz.image.pullPolicy=Sometimes",
      "- at '/authz/image/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'",
    ],
    ["unknownKey=1", "- at '': additional properties 'unknownKey' not allowed"],
  ])("refuses --set %s with the schema's message", async (bad, message) => {
    const result = await helm("template", "oc", CHART, "--set", bad);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "values don't meet the specifications of the schema(s) in the following chart(s):\nopenclaw-authz:\n",
    );
    expect(result.stderr.split("\n")).toContain(message);
  });
});

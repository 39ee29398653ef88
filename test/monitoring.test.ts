/**
 * What operators watch: the sidecar's /metrics from a real process (one, and two workers behind
 * one scrape), and the chart's dashboard and alert rules (promtool, helm), which may name only
 * metrics that a scrape shows or that Envoy exports (test/fixtures/envoy-metrics.txt).
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { checkClient } from "./support/client.js";
import { type SigningKey, sign, signingKey, startIdp } from "./support/idp.js";
import { built, ROOT, tool } from "./support/paths.js";
import { run, type Sidecar, startSidecar } from "./support/processes.js";
import { until } from "./support/wait.js";

const BUNDLE = built("build/policy/bundle.tar.gz");
const CHART = join(ROOT, "charts/openclaw-authz");
const FILES = join(CHART, "files");
const publicRead = (headers: Record<string, string> = {}) => ({
  attributes: { request: { http: { method: "GET", path: "/api/v1/public/docs", headers } } },
});

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests, read field by field
type Json = Record<string, any>;

const scrape = async (admin: string) => (await fetch(`http://${admin}/metrics`)).text();

/** The value of one series, written exactly as prom-client writes it; undefined when absent. */
function value(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Every metric name a scrape declares (`# TYPE`), with a histogram's `_bucket`/`_sum`/`_count`. */
function exported(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name as string);
    if (type === "histogram" || type === "summary")
      for (const suffix of ["_bucket", "_sum", "_count"]) names.add(`${name}${suffix}`);
  }
  return names;
}

const WORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "and",
  "or",
  "unless",
  "offset",
  "bool",
]);

/**
 * The metric names a PromQL expression selects: identifiers that are not a function or
 * aggregation (followed by `(`), a keyword or operator, a label (in `{…}` or `by (…)`), a
 * string, a duration or a Grafana variable.
 */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
    .replace(/\$\w+/g, "");
  return [...bare.matchAll(/(?<![\w.$])([a-zA-Z_:][\w:]*)(\s*\()?/g)]
    .filter(([, word, call]) => !call && !WORDS.has(word as string))
    .map(([, word]) => word as string);
}

const namesIn = (exprs: string[]) => new Set(exprs.flatMap(metricNames));

async function chartExpressions() {
  const dashboard = JSON.parse(await readFile(join(FILES, "dashboard.json"), "utf8")) as {
    panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
  };
  const rules = parse(await readFile(join(FILES, "alerts.yaml"), "utf8")) as {
    groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
  };
  return {
    dashboard: dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
    panels: dashboard.panels.map((p) => p.title),
    alerts: rules.groups.flatMap((g) => g.rules),
  };
}

describe("metricNames", () => {
  it.each([
    ['sum by (outcome) (rate(a_total{x="b c"}[5m]))', ["a_total"]],
    ["histogram_quantile(0.99, sum by (le) (rate(h_bucket[$__rate_interval])))", ["h_bucket"]],
    ["time() - min(t_seconds > 0) and up offset 15m", ["t_seconds", "up"]],
    ["x / ignoring(source) group_left (pod) (y + z)", ["x", "y", "z"]],
    ['count(up{job="a"}) or vector(0)', ["up"]],
  ])("%s names %j", (expr, names) => {
    expect(metricNames(expr)).toEqual(names);
  });
});

describe("a sidecar's /metrics", () => {
  let sidecar: Sidecar;
  let idp: Awaited<ReturnType<typeof startIdp>>;
  let key: SigningKey;
  let issuer: string;
  let started: number;
  beforeAll(async () => {
    key = await signingKey("k1", "ES256");
    idp = await startIdp(() => [key.publicJwk]);
    issuer = `${idp.url}/`;
    started = Date.now() / 1000;
    sidecar = await startSidecar({
      policy: { bundle: BUNDLE },
      identity: {
        jwt: {
          issuers: [
            {
              issuer,
              audiences: ["openclaw"],
              algorithms: ["ES256"],
              jwks: { url: `${idp.url}/jwks` },
            },
          ],
        },
      },
    });
  });
  afterAll(async () => {
    await sidecar?.stop();
    await idp?.stop();
  });

  it("starts its series at zero, and reports the build, the bundle's and the key set's age", async () => {
    const text = await scrape(sidecar.admin);
    const version = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")).version;
    expect(text).toMatch(
      new RegExp(
        `^openclaw_authz_build_info\\{version="${version}",commit="([0-9a-f]{40}|unknown)",opa_wasm="1\\.10\\.0"\\} 1$`,
        "m",
      ),
    );
    for (const series of [
      'openclaw_authz_decisions_total{outcome="deny",code=""}',
      'openclaw_authz_decisions_total{outcome="unauthenticated",code="identity_invalid"}',
      'openclaw_authz_check_calls_total{grpc_code="INVALID_ARGUMENT"}',
      'openclaw_authz_cache_hits_total{source="local"}',
      'openclaw_authz_decision_log_events_total{sink="console",outcome="dropped"}',
      'openclaw_authz_decision_log_errors_total{sink="console"}',
    ])
      expect([series, value(text, series)]).toEqual([series, 0]);
    const now = Date.now() / 1000;
    for (const series of [
      "openclaw_authz_bundle_last_load_timestamp_seconds",
      "openclaw_authz_bundle_last_check_timestamp_seconds",
      `openclaw_authz_jwks_last_refresh_timestamp_seconds{issuer="${issuer}"}`,
    ]) {
      const at = value(text, series) ?? 0;
      expect([series, at >= started - 1 && at <= now]).toEqual([series, true]);
    }
    expect(value(text, "nodejs_heap_size_used_bytes")).toBeGreaterThan(0);
    expect(value(text, "process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(value(text, "openclaw_authz_heap_limit_bytes")).toBeGreaterThan(
      value(text, "nodejs_heap_size_used_bytes") ?? Infinity,
    );
  });

  it("counts Check calls by gRPC status, and an invalid credential as unauthenticated", async () => {
    const before = await scrape(sidecar.admin);
    const client = checkClient(sidecar.grpc);
    const expired = await sign(key, {
      iss: issuer,
      aud: "openclaw",
      sub: "alice",
      exp: Math.floor(Date.now() / 1000) - 3600,
    });
    const answers = await Promise.all([
      client.check(publicRead()),
      client.check(publicRead()),
      client.check(publicRead({ authorization: `Bearer ${expired}` })),
      client.sendBytes(Buffer.from([0x0a, 0xff])),
    ]);
    client.close();
    expect(answers.map((a) => a.ok)).toEqual([true, true, true, false]);
    const after = await scrape(sidecar.admin);
    const delta = (series: string) => (value(after, series) ?? 0) - (value(before, series) ?? 0);
    expect(delta('openclaw_authz_check_calls_total{grpc_code="OK"}')).toBe(3);
    expect(delta('openclaw_authz_check_calls_total{grpc_code="INVALID_ARGUMENT"}')).toBe(1);
    expect(
      delta('openclaw_authz_decisions_total{outcome="unauthenticated",code="identity_invalid"}'),
    ).toBe(1);
    expect(
      value(after, 'openclaw_authz_decisions_total{outcome="error",code="identity_invalid"}'),
    ).toBe(undefined);
    expect(delta('openclaw_authz_decisions_total{outcome="allow",code=""}')).toBe(2);
    expect(delta("openclaw_authz_check_duration_seconds_count")).toBe(3);
  });

  it("exports every metric the dashboard and the alerts name (Envoy's: the committed list)", async () => {
    const scraped = exported(await scrape(sidecar.admin));
    const envoy = new Set(
      (await readFile(join(ROOT, "test/fixtures/envoy-metrics.txt"), "utf8"))
        .split("\n")
        .filter((line) => line !== "" && !line.startsWith("#")),
    );
    const { dashboard, alerts } = await chartExpressions();
    const used = namesIn([...dashboard, ...alerts.map((a) => a.expr)]);
    expect(used.size).toBeGreaterThan(15);
    expect(used).toContain("openclaw_authz_check_duration_seconds_bucket");
    expect(used).toContain("nodejs_heap_size_used_bytes");
    expect(used).toContain("envoy_listener_ssl_fail_verify_san");
    const unknown = [...used].filter((name) =>
      name.startsWith("envoy_") ? !envoy.has(name) : !scraped.has(name),
    );
    expect(unknown).toEqual([]);
  });
});

describe("server.workers: 2", () => {
  it("one scrape answers for both workers: N checks from separate connections, N counted", async () => {
    const sidecar = await startSidecar({ server: { workers: 2 }, policy: { bundle: BUNDLE } });
    try {
      const serving = () => sidecar.stderr.filter((l) => l.includes('"msg":"serving"'));
      expect(await until(() => serving().length === 2)).toBe(true);
      const { grpc, admin } = JSON.parse(serving()[0] as string) as { grpc: string; admin: string };
      // Connections, not calls, are spread over the workers: each client has one of its own.
      const N = 24;
      const clients = Array.from({ length: N }, () =>
        checkClient(grpc, { "grpc.use_local_subchannel_pool": 1 }),
      );
      const answers = await Promise.all(clients.map((c) => c.check(publicRead())));
      for (const client of clients) client.close();
      expect(answers.every((a) => a.ok)).toBe(true);
      // The decision log's `labels.id` names the worker that decided: both did.
      // Decisions only: each worker's chain starts with a control event of its own (`kind`).
      const decisions = () =>
        sidecar.stdout.map((l) => JSON.parse(l)).filter((event) => event.kind === undefined);
      expect(await until(() => decisions().length === N)).toBe(true);
      const deciders = new Set(decisions().map((event) => event.labels.id as string));
      expect(deciders.size).toBe(2);
      for (let i = 0; i < 3; i++) {
        const text = await scrape(admin);
        expect(value(text, 'openclaw_authz_decisions_total{outcome="allow",code=""}')).toBe(N);
        expect(value(text, 'openclaw_authz_check_calls_total{grpc_code="OK"}')).toBe(N);
        expect(value(text, "openclaw_authz_check_duration_seconds_count")).toBe(N);
        // Gauges fold by their own aggregator: both workers have the policy (min), one build.
        expect(value(text, "openclaw_authz_policy_loaded")).toBe(1);
        expect(text.match(/^openclaw_authz_build_info\{/gm)).toHaveLength(1);
      }
    } finally {
      await sidecar.stop();
    }
  });
});

describe("the chart's alert rules and dashboard", () => {
  const promtool = (...args: string[]) => run(tool("promtool"), args, { cwd: FILES });

  it("pass promtool check rules, and promtool's unit tests fire and quiet each alert", async () => {
    const checked = await promtool("check", "rules", "alerts.yaml");
    expect(checked.stdout).toContain("SUCCESS: 10 rules found");
    const tested = await promtool("test", "rules", "alerts.test.yaml");
    expect(tested.stdout).toContain("SUCCESS");
    const { alerts } = await chartExpressions();
    const tests = await readFile(join(FILES, "alerts.test.yaml"), "utf8");
    for (const { alert } of alerts) {
      // Each alert has a case that fires it (exp_alerts listed) and one that keeps it quiet.
      expect([alert, tests.includes(`alertname: ${alert}\n        exp_alerts:\n`)]).toEqual([
        alert,
        true,
      ]);
      expect([alert, tests.includes(`alertname: ${alert}, exp_alerts: []`)]).toEqual([alert, true]);
    }
  });

  it("the dashboard's queries are valid PromQL (promtool check rules, as recording rules)", async () => {
    const { dashboard } = await chartExpressions();
    const rules = dashboard.map((expr, i) => ({
      record: `dashboard:query_${i}`,
      expr: expr.replaceAll("$__rate_interval", "5m").replace(/\$\w+/g, ".*"),
    }));
    const path = join(await mkdtemp(join(tmpdir(), "oc-dashboard-")), "queries.yaml");
    await writeFile(path, JSON.stringify({ groups: [{ name: "dashboard", rules }] }));
    const checked = await promtool("check", "rules", path);
    expect(checked.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it("promtool fails an alert whose expectation is wrong (the test can fail)", async () => {
    const tests = (await readFile(join(FILES, "alerts.test.yaml"), "utf8")).replace(
      "severity: critical, namespace: oc, job: authz, pod: authz-0",
      "severity: warning, namespace: oc, job: authz, pod: authz-0",
    );
    const path = join(await mkdtemp(join(tmpdir(), "oc-rules-")), "alerts.test.yaml");
    await writeFile(
      path,
      tests.replace("rule_files: [alerts.yaml]", `rule_files: [${join(FILES, "alerts.yaml")}]`),
    );
    const failed = await promtool("test", "rules", path).then(
      () => 0,
      // promtool reports failed cases on stderr and exits 1.
      (error: { code: number; stderr: string }) =>
        error.stderr.includes("FAILED") ? error.code : 0,
    );
    expect(failed).toBe(1);
  });

  it("renders the dashboard ConfigMap and the PrometheusRule only when asked, from the files", async () => {
    const helm = async (...sets: string[]) => {
      const { stdout } = await run(tool("helm"), [
        "template",
        "oc",
        CHART,
        ...sets.flatMap((s) => ["--set", s]),
      ]);
      return parseAllDocuments(stdout).map((d) => d.toJSON() as Json);
    };
    const defaults = await helm();
    expect(defaults.filter((d) => d?.kind === "PrometheusRule")).toEqual([]);
    expect(defaults.filter((d) => d?.metadata?.name?.endsWith("-dashboard"))).toEqual([]);
    const docs = await helm(
      "grafanaDashboard.enabled=true",
      "prometheusRule.enabled=true",
      "prometheusRule.labels.release=kube-prometheus-stack",
    );
    const dashboard = docs.find((d) => d?.metadata?.name === "oc-openclaw-authz-dashboard");
    expect(dashboard?.metadata.labels.grafana_dashboard).toBe("1");
    expect(JSON.parse(dashboard?.data["openclaw-authz.json"])).toEqual(
      JSON.parse(await readFile(join(FILES, "dashboard.json"), "utf8")),
    );
    const rule = docs.find((d) => d?.kind === "PrometheusRule");
    expect(rule?.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(rule?.metadata.labels.release).toBe("kube-prometheus-stack");
    expect(rule?.spec.groups).toEqual(
      parse(await readFile(join(FILES, "alerts.yaml"), "utf8")).groups,
    );
  });

  it("has the panels the README's Operations section describes", async () => {
    const { panels, alerts } = await chartExpressions();
    const readme = await readFile(join(ROOT, "README.md"), "utf8");
    const operations = readme.slice(
      readme.indexOf("## Operations"),
      readme.indexOf("## Security model"),
    );
    for (const title of panels)
      expect([title, operations.includes(`**${title}**`)]).toEqual([title, true]);
    for (const { alert } of alerts)
      expect([alert, operations.includes(`\`${alert}\``)]).toEqual([alert, true]);
  });
});

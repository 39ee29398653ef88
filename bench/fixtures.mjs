// Build steps, key material, configs and the CheckRequests every benchmark drives, shared by
// bench/run.mjs (servers under ghz) and bench/stages.mjs (the pipeline's steps one by one).
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { accessToken, issuerKey } from "../scripts/lab-identity.mjs";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const BIN = join(ROOT, ".tools/bin");
export const WORK = join(ROOT, "build/bench");
/** The redis-server `ours-rl-redis` shares its buckets through (bench/run.mjs starts it). */
export const BENCH_REDIS_PORT = 9507;
const ISSUER = "https://idp.bench.openclaw.internal/";

export const sh = (command, argv, options = {}) =>
  String(
    execFileSync(command, argv, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"], ...options }) ??
      "",
  );
export const log = (...parts) => console.error("==>", ...parts);

/** The V8 flags the Docker image runs the sidecar with (its `ENV NODE_OPTIONS`). */
export const IMAGE_NODE_OPTIONS = /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(
  readFileSync(join(ROOT, "Dockerfile"), "utf8"),
)?.[1];

/** The flags the Docker image passes node before dist/main.js (its ENTRYPOINT). */
export const IMAGE_NODE_ARGS = (() => {
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
  const command = JSON.parse(entrypoint?.[1] ?? "[]");
  const script = command.indexOf("dist/main.js");
  if (command[0] !== "node" || script < 0)
    throw new Error("Dockerfile: no node … dist/main.js ENTRYPOINT");
  return command.slice(1, script);
})();

/** The pinned OPA release (scripts/lib.sh's OPA_VERSION, the one pin): the peer's evaluator. */
export const OPA_VERSION = /^OPA_VERSION="([^"]+)"$/m.exec(
  readFileSync(join(ROOT, "scripts/lib.sh"), "utf8"),
)?.[1];

/** Command-line `--name value` pairs. */
export const parseArgs = (argv) =>
  Object.fromEntries(
    argv
      .map((a, i, all) => (a.startsWith("--") ? [a.slice(2), all[i + 1]] : []))
      .filter((e) => e.length),
  );

/** `opa build -t wasm` of a policy directory into build/bench/NAME; returns its path. */
function wasmBundle(dir, entrypoint, name) {
  const bundle = join(WORK, name);
  sh(join(BIN, "opa"), ["build", "-t", "wasm", "-e", entrypoint, "-o", bundle, dir]);
  return bundle;
}

/**
 * A chat completion of about 4 KB POSTed by a developer to the route the shipped data guards
 * against prompt injection (`prompt_guard: true`): benign text, so every pattern is tried and
 * none matches, and a POST, so no decision is cached and every check evaluates the guard.
 */
function guardedPrompt(http, token) {
  const paragraph =
    "Our quarterly review covers revenue, churn and hiring across the three regions. Revenue grew " +
    "eight percent, driven by the enterprise tier, while churn in the self-serve plan rose slightly " +
    "after the price change in March. Please summarize the findings for the leadership team, list " +
    "the three largest risks with an owner for each, and suggest what we should measure next quarter. ";
  const content = paragraph.repeat(Math.ceil(4096 / paragraph.length)).slice(0, 4096);
  const body = JSON.stringify({
    model: "gpt-4o",
    messages: [
      { role: "system", content: "You are a concise analyst who writes for busy executives." },
      { role: "user", content },
    ],
  });
  const request = http("POST", "/api/v1/tenants/acme/agents/a1/runs", {
    authorization: `Bearer ${token}`,
    "content-type": "application/json",
  });
  request.attributes.request.http.body = body;
  return request;
}

/** Sizes of the generated route tables (`--routes` in bench/run.mjs and bench/stages.mjs). */
export const ROUTE_TABLE_SIZES = [10, 1_000, 10_000];

/**
 * Routes of a large deployment, one family after another for each resource kind `r<j>`: reads,
 * creates, updates, replaces, deletes and runs under the tenant prefix, public catalog reads and
 * an internal status route for any method. [method, pattern, scope (or public)]; the scopes are
 * the shipped roles' own, so the bench's callers are granted some and refused others.
 */
const ROUTE_FAMILIES = [
  ["GET", (kind) => `/api/v1/tenants/*/${kind}/**`, "ticket:read"],
  ["POST", (kind) => `/api/v1/tenants/*/${kind}`, "ticket:create"],
  ["PATCH", (kind) => `/api/v1/tenants/*/${kind}/*`, "ticket:update"],
  ["PUT", (kind) => `/api/v1/tenants/*/${kind}/*`, "agent:update"],
  ["DELETE", (kind) => `/api/v1/tenants/*/${kind}/*`, "session:delete"],
  ["POST", (kind) => `/api/v1/tenants/*/${kind}/*/runs`, "agent:run"],
  ["GET", (kind) => `/api/v2/catalog/${kind}/**`, "public"],
  ["*", (kind) => `/internal/${kind}/*/status`, "agent:read"],
];

/** `size` routes of ROUTE_FAMILIES, in data.json's form. */
export function routeTable(size) {
  return Array.from({ length: size }, (_, n) => {
    const [method, pattern, scope] = ROUTE_FAMILIES[n % ROUTE_FAMILIES.length];
    const path = pattern(`r${Math.floor(n / ROUTE_FAMILIES.length)}`);
    return scope === "public" ? { method, path, public: true } : { method, path, scope };
  });
}

/** [method, path] asking for each of 16 routes spread evenly through `routes`, the last included. */
function spreadRequests(routes) {
  const positions = new Set(
    Array.from({ length: 16 }, (_, k) => Math.round((k * (routes.length - 1)) / 15)),
  );
  return [...positions].map((position) => {
    const { method, path } = routes[position];
    const segments = path.split("/").map((p) => (p === "*" ? "acme" : p === "**" ? "items/i1" : p));
    return [method === "*" ? "GET" : method, segments.join("/")];
  });
}

/**
 * Builds what the benchmarks need (scripts/setup, pinned ghz, the reference server, lab PKI) and
 * writes the fixtures into build/bench: a fresh RS256 JWKS and tokens, lab SVIDs (both from the
 * lab's own generators: scripts/lab-identity.mjs and scripts/pki), our configs
 * (ours.yaml, ours-2w.yaml, ours-traced.yaml: every check traced, ours-rego.yaml: the peer's policy in our sidecar, ours-trivial.yaml:
 * `default allow := true`, ours-rl.yaml, ours-rl-redis.yaml and ours-rl-redis-1s.yaml: rate
 * limits that never trigger, in local buckets, in Redis, in Redis with a 1 s budget; ours-logged.yaml, ours-chained.yaml, ours-audit.yaml: the decision
 * log on a Redis Stream, unchained, chained, chained with durability audit), the peer's and the trivial policy directories and workloads.json,
 * and the route tables' bundles and configs (ours-routes-<size>-{indexed,scan}.yaml). Returns the
 * workloads (name → CheckRequests in protobuf JSON, as ghz takes them), the two policy
 * directories and the route tables (size, workload name and requests, the two configs).
 */
/** The port of the OTLP/HTTP endpoint that accepts and discards ours-traced's spans. */
export const OTLP_SINK_PORT = 9521;

export async function prepare() {
  log("building (scripts/setup, pinned ghz, the reference server, lab PKI)");
  sh("bash", ["scripts/setup"], { stdio: "inherit" });
  sh("bash", ["-c", "source scripts/lib.sh && ensure_ghz"], { stdio: "inherit" });
  sh("bash", ["scripts/build-oracle"], { stdio: "inherit" });
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  sh("bash", ["scripts/pki", join(WORK, "pki"), "prod.openclaw.internal"], { stdio: "ignore" });

  // The lab's JWT issuer helpers (scripts/lab-identity.mjs), with an RS256 key of its own.
  const key = await issuerKey("RS256", "bench-1");
  const jwks = { keys: [key.publicJwk] };
  writeFileSync(join(WORK, "jwks.json"), JSON.stringify(jwks));
  const token = (subject, roles) =>
    accessToken(key, { issuer: ISSUER, subject, roles, tenant: "acme", ttl: "2h" });
  const users = await Promise.all(
    [
      ["vera", ["viewer"]],
      ["sam", ["support"]],
      ["dev", ["developer"]],
      ["ops", ["operator"]],
      ["tam", ["tenant_admin"]],
    ].map(([s, r]) => token(s, r)),
  );

  // The peer's policy directory: the shipped policy and data, the peer's identity wrapper, the JWKS as data.
  const peerDir = join(WORK, "peer-policy");
  mkdirSync(join(peerDir, "bench"), { recursive: true });
  copyShippedRego(peerDir);
  cpSync(join(ROOT, "policies/data.json"), join(peerDir, "data.json"));
  cpSync(join(ROOT, "bench/peer/peer.rego"), join(peerDir, "peer.rego"));
  // The prompt guard (its data is in data.json, its model beside it), so the peer guards
  // workload h too.
  cpSync(join(ROOT, "policies/prompt_guard.rego"), join(peerDir, "prompt_guard.rego"));
  cpSync(join(ROOT, "policies/prompt_guard_model"), join(peerDir, "prompt_guard_model"), {
    recursive: true,
  });
  writeFileSync(
    join(peerDir, "bench/data.json"),
    JSON.stringify({ jwks: JSON.stringify(jwks), issuer: ISSUER }),
  );

  const oursConfig = (port, workers) => ({
    listen: { grpc: `127.0.0.1:${port}`, admin: `127.0.0.1:${port + 1}` },
    server: { workers },
    policy: { bundle: join(ROOT, "build/policy/bundle.tar.gz") },
    identity: {
      spiffe: {
        trustDomains: { "prod.openclaw.internal": join(WORK, "pki/planner/bundle.pem") },
        xfccIntermediates: true,
      },
      jwt: {
        issuers: [
          {
            issuer: ISSUER,
            audiences: ["openclaw"],
            algorithms: ["RS256"],
            jwks: { file: join(WORK, "jwks.json") },
          },
        ],
      },
    },
    decisionLog: { console: false }, // the peer logs nothing either
    log: { level: "info" },
  });
  writeFileSync(join(WORK, "ours.yaml"), JSON.stringify(oursConfig(9491, 1)));
  writeFileSync(join(WORK, "ours-2w.yaml"), JSON.stringify(oursConfig(9495, 2)));
  // Ours with every check traced, spans sent to the discarding OTLP endpoint run.mjs starts.
  writeFileSync(
    join(WORK, "ours-traced.yaml"),
    JSON.stringify({
      ...oursConfig(9503, 1),
      tracing: { endpoint: `http://127.0.0.1:${OTLP_SINK_PORT}/v1/traces`, sampleRatio: 1 },
    }),
  );
  // Ours running the peer's policy: the JWT verified in Rego (io.jwt.decode_verify, our host
  // builtin), no identity configured in the sidecar; same cache and logging as ours.
  const regoBundle = wasmBundle(peerDir, "bench/peer/allow", "peer-bundle.tar.gz");
  const { identity: _, ...sidecarIdentityFree } = oursConfig(9497, 1);
  writeFileSync(
    join(WORK, "ours-rego.yaml"),
    JSON.stringify({
      ...sidecarIdentityFree,
      policy: { bundle: regoBundle, decision: "bench/peer/allow" },
    }),
  );

  // The floor of a policy: `default allow := true`, in ours (identity, cache and all, as ours)
  // and in the peer, so what the sidecar costs around any policy is measured in every run.
  const trivialDir = join(WORK, "trivial-policy");
  mkdirSync(trivialDir, { recursive: true });
  writeFileSync(
    join(trivialDir, "trivial.rego"),
    "package bench.trivial\n\ndefault allow := true\n",
  );
  const trivialBundle = wasmBundle(trivialDir, "bench/trivial/allow", "trivial-bundle.tar.gz");
  writeFileSync(
    join(WORK, "ours-trivial.yaml"),
    JSON.stringify({
      ...oursConfig(9499, 1),
      policy: { bundle: trivialBundle, decision: "bench/trivial/allow" },
    }),
  );

  // Ours with rate limits on (issue 20), limits far above any rate here so none refuses: what
  // counting every check against its address and tenant costs, in local buckets and in Redis
  // (one EVALSHA per limit; the decision cache stays local, shareDecisions off).
  const never = { perMinute: 1e9, perHour: 1e10, perDay: 1e11, burst: 1 };
  const rateLimited = (port, redisUrl) => ({
    ...oursConfig(port, 1),
    ...(redisUrl ? { cache: { redis: { url: redisUrl, shareDecisions: false } } } : {}),
    rateLimit: { enabled: true, tiers: { standard: never }, perAddress: { perMinute: 1e9 } },
  });
  writeFileSync(join(WORK, "ours-rl.yaml"), JSON.stringify(rateLimited(9503)));
  writeFileSync(
    join(WORK, "ours-rl-redis.yaml"),
    JSON.stringify(rateLimited(9505, `redis://127.0.0.1:${BENCH_REDIS_PORT}`)),
  );
  // The same with a 1 s budget: every verdict Redis's, none of the local buckets' after a late answer.
  const redisOnly = rateLimited(9515, `redis://127.0.0.1:${BENCH_REDIS_PORT}`);
  writeFileSync(
    join(WORK, "ours-rl-redis-1s.yaml"),
    JSON.stringify({ ...redisOnly, rateLimit: { ...redisOnly.rateLimit, budget: "1s" } }),
  );

  // Ours with its decision log on a Redis Stream (issue 21): unchained, chained (JCS + SHA-256
  // per event) and chained with durability audit (a spill that, Redis healthy, stays empty).
  const logged = (port, decisionLog) => ({
    ...oursConfig(port, 1),
    decisionLog: {
      console: false,
      redisStream: { url: `redis://127.0.0.1:${BENCH_REDIS_PORT}`, stream: `bench:${port}` },
      ...decisionLog,
    },
  });
  writeFileSync(
    join(WORK, "ours-logged.yaml"),
    JSON.stringify(logged(9509, { chain: { enabled: false } })),
  );
  writeFileSync(join(WORK, "ours-chained.yaml"), JSON.stringify(logged(9511, {})));
  writeFileSync(
    join(WORK, "ours-audit.yaml"),
    JSON.stringify(
      logged(9513, {
        durability: "audit",
        spill: { dir: join(WORK, "spill") },
        chain: { stateFile: join(WORK, "chain.state") },
      }),
    ),
  );

  // ---------------------------------------------------------------------------- workloads
  const headers = (extra) => ({
    ":authority": "openclaw.prod.internal",
    "user-agent": "openclaw-agent/2.4 (linux; x64) node/20",
    accept: "application/json, text/plain, */*",
    "accept-language": "en-GB,en;q=0.9",
    "x-forwarded-for": "10.12.0.17, 10.20.3.4",
    "x-forwarded-proto": "https",
    "x-request-id": "5f1d7c2a-8c47-4b7e-9b1a-9d2c6a4a6d10",
    traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "x-envoy-expected-rq-timeout-ms": "60000",
    "x-openclaw-client": "planner-ui/7.1.3",
    ...extra,
  });
  const http = (method, path, extra) => ({
    attributes: {
      contextExtensions: { region: "eu-west-1" },
      request: {
        http: {
          method,
          path,
          host: "openclaw.prod.internal",
          protocol: "HTTP/2",
          scheme: "https",
          headers: headers(extra),
        },
      },
    },
  });
  const ROUTES = ["tickets", "agents", "sessions", "members"]
    .flatMap((kind) =>
      Array.from({ length: 12 }, (_, i) => [
        i % 3 === 2 ? "POST" : "GET",
        `/api/v1/tenants/acme/${kind}${i % 3 === 2 ? "" : `/${kind.slice(0, 1)}${i}`}`,
      ]),
    )
    .concat([
      ["GET", "/api/v1/public/docs"],
      ["GET", "/api/v1/tenants/acme"],
    ]);
  const mix = (unique) =>
    ROUTES.map(([method, path], i) =>
      http(method, unique && method === "GET" ? `${path}-{{.RequestNumber}}` : path, {
        authorization: `Bearer ${users[i % users.length]}`,
      }),
    );
  const leaf = readFileSync(join(WORK, "pki/planner/leaf.pem"), "utf8");
  const chain = readFileSync(join(WORK, "pki/planner/svid.pem"), "utf8");
  const spiffe = {
    attributes: {
      source: {
        principal: "spiffe://prod.openclaw.internal/ns/agents/sa/planner",
        certificate: encodeURIComponent(leaf),
        address: { socketAddress: { address: "10.12.0.9", portValue: 51234 } },
      },
      ...http("GET", "/api/v1/tenants/acme/tickets/t7", {
        "x-forwarded-client-cert": `Chain="${encodeURIComponent(chain)}";URI=spiffe://prod.openclaw.internal/ns/agents/sa/planner`,
      }).attributes,
    },
  };
  const workloads = {
    "a: mix (50 routes, JWT)": mix(false),
    "b: mix, unique paths": mix(true),
    "c: repeated reads": [
      http("GET", "/api/v1/tenants/acme/tickets/t1", { authorization: `Bearer ${users[0]}` }),
    ],
    "d: SPIFFE-only": [spiffe],
    "h: 4 KB prompt, guarded route": [guardedPrompt(http, users[2])],
  };
  console.error(
    `    request headers ≈ ${JSON.stringify(headers({ authorization: `Bearer ${users[0]}` })).length} bytes`,
  );
  writeFileSync(join(WORK, "workloads.json"), JSON.stringify(workloads, null, 2));

  // Route tables of ROUTE_TABLE_SIZES routes (the shipped roles, generated routes), each served
  // by the shipped policy built as it ships (scripts/build-policy: its routes indexed) and by the
  // policy before the index (test/fixtures/route-scan: every route tried), the cache off so that
  // every check is evaluated; each workload asks for 16 routes spread through its table.
  const shipped = JSON.parse(readFileSync(join(ROOT, "policies/data.json"), "utf8"));
  const routeTables = ROUTE_TABLE_SIZES.map((size, n) => {
    const routes = routeTable(size);
    const policyDir = (policy, variant) => {
      const dir = join(WORK, `routes-${size}-${variant}`);
      mkdirSync(dir, { recursive: true });
      if (policy === "policies") copyShippedRego(dir);
      else cpSync(join(ROOT, policy), join(dir, "authz.rego"));
      writeFileSync(
        join(dir, "data.json"),
        JSON.stringify({ ...shipped, openclaw: { ...shipped.openclaw, routes } }),
      );
      return dir;
    };
    const indexed = join(WORK, `routes-${size}-indexed.tar.gz`);
    sh("bash", ["scripts/build-policy", policyDir("policies", "indexed"), indexed]);
    const scanDir = policyDir("test/fixtures/route-scan/authz.rego", "scan");
    const scan = wasmBundle(scanDir, "envoy/authz/allow", `routes-${size}-scan.tar.gz`);
    const port = 9511 + 4 * n;
    // A deadline of 10 s, not the shipped 100 ms: every route tried takes milliseconds at
    // 10,000 routes, and a check cut at its deadline would measure the deadline.
    const config = (variant, bundle, at) => {
      const name = `ours-routes-${size}-${variant}.yaml`;
      const cacheOff = { ...oursConfig(at, 1), cache: { enabled: false } };
      const policy = { bundle, evaluationTimeout: "10s" };
      writeFileSync(join(WORK, name), JSON.stringify({ ...cacheOff, policy }));
      return name;
    };
    return {
      size,
      workload: `${String.fromCharCode(101 + n)}: ${size.toLocaleString("en")} routes`,
      requests: spreadRequests(routes).map(([method, path], k) =>
        http(method, path, { authorization: `Bearer ${users[k % users.length]}` }),
      ),
      /** Configs and gRPC ports (the admin port is the next one) of the two policies. */
      indexed: { config: config("indexed", indexed, port), port },
      scan: { config: config("scan", scan, port + 2), port: port + 2 },
    };
  });
  return { workloads, peerDir, trivialDir, routeTables };
}

/** The shipped policy's Rego files (authz.rego and the other modules of its package), tests left out. */
function copyShippedRego(dir) {
  for (const name of readdirSync(join(ROOT, "policies"))) {
    if (name.endsWith(".rego") && !name.endsWith("_test.rego"))
      cpSync(join(ROOT, "policies", name), join(dir, name));
  }
}

#!/usr/bin/env node
// npm run bench [-- --duration SECONDS --runs N --only ours,peer,null --workloads a,c
//                   --out NAME --cpu-prof DIR --before DIST --pin SERVER_CPUS:GHZ_CPUS
//                   --workers N --routes]
//
// Side by side on loopback, one server at a time, identical CheckRequest bytes from ghz:
//   ours  openclaw-authz (shipped policy, identity verified by the sidecar, decision cache on)
//   ours-rego  openclaw-authz running the peer's policy (bench/peer/peer.rego: the JWT verified
//         in Rego with io.jwt.decode_verify against the JWKS in data, our host builtin), no
//         identity configured in the sidecar, decision cache on
//   peer  the reference ext_authz server on the pinned OPA's Go evaluator (test/oracle; the module
//         proxy refuses opa-envoy-plugin itself), with the same policy and data, identity done
//         the peer's way (JWT verified in Rego with io.jwt.decode_verify, SPIFFE ID from
//         source_principal: bench/peer/peer.rego)
//   null  grpc-js answering OK to everything: the floor of a Node gRPC server here
//   ours-traced  ours with tracing on at sampleRatio 1 (every check traced), spans sent over
//         OTLP/HTTP to a local endpoint that accepts and discards them: what tracing costs
//   ours-trivial, peer-trivial  ours (configured as ours) and the peer with the policy
//         `default allow := true`: what each costs around any policy, against null
//   ours-rl, ours-rl-redis  ours with rate limits on (limits never reached), buckets local or in
//         a redis-server this script starts on 127.0.0.1:9507; only with --only
//   ours-rl-redis-1s  ours-rl-redis with `rateLimit.budget: 1s`: every verdict Redis's (the
//         default 5 ms budget sends a late answer's checks to the local buckets); only with --only
//   ours-logged, ours-chained, ours-audit  ours with its decision log on a Redis Stream in that
//         redis-server: unchained, hash-chained, chained with durability audit; only with --only
//         (the report gives CPU per check of each against ours-logged)
//   ours@before, ours-rego@before, ours-trivial@before  with --before DIST (the dist/ of another build, say an older
//         commit's): the same servers from that build, measured right before ours and ours-rego,
//         with the ratio of each to its before in the report
// Figures per server and workload, median of N runs: saturation throughput, latency at 1000 rps
// and at 50 % of the server's own saturation, CPU seconds per 10k checks, peak RSS.
// --pin 1:0 runs each server on CPU 1 and ghz on CPU 0 (taskset -c), so they do not share a core;
// --workers N sets server.workers in every config of ours (ours-2w keeps 2).
// --routes measures the route tables of bench/fixtures.mjs instead (workloads e, f, g: 10, 1,000
// and 10,000 routes), each on two servers of its own, the cache off: routes-<size> (the shipped
// policy, its routes indexed) and routes-<size>-scan (the policy before the index); results in
// bench/results/routes.{json,md} (or --out NAME).
// Results: bench/results/latest.json and bench/results/latest.md (or --out NAME).
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, get } from "node:http";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import {
  BENCH_REDIS_PORT,
  BIN,
  IMAGE_NODE_ARGS,
  IMAGE_NODE_OPTIONS,
  log,
  OPA_VERSION,
  OTLP_SINK_PORT,
  parseArgs,
  prepare,
  ROOT,
  sh,
  WORK,
} from "./fixtures.mjs";

const args = parseArgs(process.argv.slice(2));
/** The servers --before measures from the other build too. */
const SAME_BEFORE = new Set(["ours", "ours-rego", "ours-trivial"]);
const DURATION = Number(args.duration ?? 5);
const RUNS = Number(args.runs ?? 3);
const ROUTES = "routes" in args;
const { workloads: NAMED_WORKLOADS, peerDir, trivialDir, routeTables } = await prepare();
const ROUTE_SERVERS = routeTables.flatMap(({ size }) => [`routes-${size}`, `routes-${size}-scan`]);
const DEFAULT_SERVERS = ROUTES
  ? ROUTE_SERVERS.join(",")
  : "ours,ours-rego,ours-2w,peer,ours-trivial,peer-trivial,null";
const ONLY = (args.only ?? DEFAULT_SERVERS)
  .split(",")
  .flatMap((name) => (args.before && SAME_BEFORE.has(name) ? [`${name}@before`, name] : [name]));
// h (a 4 KB prompt on the guarded route) only when named: the peer takes seconds per request
// there, which would hold every default run for minutes.
const WORKLOAD_FILTER = args.workloads?.split(",") ?? (ROUTES ? undefined : ["a", "b", "c", "d"]);
// --cpu-prof DIR: our servers write V8 CPU profiles there (open in Chrome DevTools or speedscope).
const CPU_PROF = args["cpu-prof"];
const BEFORE = args.before && join(args.before, "main.js");
const OUT = args.out ?? (ROUTES ? "routes" : "latest");
const [SERVER_CPUS, GHZ_CPUS] = args.pin?.split(":") ?? [];
/** `command argv` on the CPUs `cpus` (taskset execs it: same pid), or as it is. */
const onCpus = (cpus, command, argv) =>
  cpus ? ["taskset", ["-c", cpus, command, ...argv]] : [command, argv];
const ALL_WORKLOADS = ROUTES
  ? Object.fromEntries(routeTables.map((table) => [table.workload, table.requests]))
  : NAMED_WORKLOADS;
const WORKLOADS = Object.fromEntries(
  Object.entries(ALL_WORKLOADS).filter(
    ([name]) => !WORKLOAD_FILTER || WORKLOAD_FILTER.includes(name.slice(0, 1)),
  ),
);

// ---------------------------------------------------------------------------- servers and ghz
const imageEnv = { ...process.env, NODE_OPTIONS: IMAGE_NODE_OPTIONS ?? "" };

/** Our sidecar as the Docker image runs it (same node and V8 flags), with `workers` event loops. */
const sidecar =
  (name, config, main = join(ROOT, "dist/main.js")) =>
  () =>
    spawn(
      ...onCpus(SERVER_CPUS, "node", [
        ...IMAGE_NODE_ARGS,
        ...profileFlags(name),
        main,
        "serve",
        "--config",
        join(WORK, configFile(config)),
      ]),
      {
        cwd: ROOT,
        env: imageEnv,
      },
    );
/** The reference server with a policy directory and decision path. */
const oracle = (dir, decision, port) => () =>
  spawn(
    ...onCpus(SERVER_CPUS, join(BIN, "authz-oracle"), [
      "-policy",
      dir,
      "-decision",
      decision,
      "-addr",
      `127.0.0.1:${port}`,
    ]),
    { cwd: ROOT },
  );
/** Our config file `name`, with server.workers set to --workers where given (not ours-2w's). */
function configFile(name) {
  if (!args.workers || name === "ours-2w.yaml") return name;
  const config = JSON.parse(readFileSync(join(WORK, name), "utf8"));
  const variant = name.replace(".yaml", `-w${args.workers}.yaml`);
  writeFileSync(
    join(WORK, variant),
    JSON.stringify({ ...config, server: { ...config.server, workers: Number(args.workers) } }),
  );
  return variant;
}
const SERVERS = {
  ours: { port: 9491, admin: 9492, start: sidecar("ours", "ours.yaml"), ready: /"serving"/ },
  "ours-2w": { port: 9495, start: sidecar("ours-2w", "ours-2w.yaml"), ready: /"serving"/ },
  "ours-traced": {
    port: 9503,
    admin: 9504,
    start: sidecar("ours-traced", "ours-traced.yaml"),
    ready: /"serving"/,
  },
  "ours-rego": {
    port: 9497,
    admin: 9498,
    start: sidecar("ours-rego", "ours-rego.yaml"),
    ready: /"serving"/,
  },
  peer: { port: 9493, start: oracle(peerDir, "bench/peer/allow", 9493), ready: /^listening/ },
  "ours-trivial": {
    port: 9499,
    admin: 9500,
    start: sidecar("ours-trivial", "ours-trivial.yaml"),
    ready: /"serving"/,
  },
  "ours-rl": {
    port: 9503,
    admin: 9504,
    start: sidecar("ours-rl", "ours-rl.yaml"),
    ready: /"serving"/,
  },
  "ours-rl-redis": {
    port: 9505,
    admin: 9506,
    start: sidecar("ours-rl-redis", "ours-rl-redis.yaml"),
    ready: /"serving"/,
    needsRedis: true,
  },
  "ours-rl-redis-1s": {
    port: 9515,
    admin: 9516,
    start: sidecar("ours-rl-redis-1s", "ours-rl-redis-1s.yaml"),
    ready: /"serving"/,
    needsRedis: true,
  },
  // The decision log's cost (issue 21), each on a Redis Stream in the bench's redis-server.
  "ours-logged": {
    port: 9509,
    admin: 9510,
    start: sidecar("ours-logged", "ours-logged.yaml"),
    ready: /"serving"/,
    needsRedis: true,
  },
  "ours-chained": {
    port: 9511,
    admin: 9512,
    start: sidecar("ours-chained", "ours-chained.yaml"),
    ready: /"serving"/,
    needsRedis: true,
  },
  "ours-audit": {
    port: 9513,
    admin: 9514,
    start: sidecar("ours-audit", "ours-audit.yaml"),
    ready: /"serving"/,
    needsRedis: true,
  },
  "peer-trivial": {
    port: 9501,
    start: oracle(trivialDir, "bench/trivial/allow", 9501),
    ready: /^listening/,
  },
  null: {
    port: 9494,
    // Same V8 flags as ours: the floor under the same memory bounds.
    start: () =>
      spawn(...onCpus(SERVER_CPUS, "node", [join(ROOT, "bench/null-server.mjs"), "9494"]), {
        cwd: ROOT,
        env: imageEnv,
      }),
    ready: /serving/,
  },
};

// Each route table's two servers, which run its workload only.
for (const { size, workload, indexed, scan } of routeTables) {
  for (const [name, { config, port }] of [
    [`routes-${size}`, indexed],
    [`routes-${size}-scan`, scan],
  ]) {
    const start = sidecar(name, config);
    SERVERS[name] = { port, admin: port + 1, start, ready: /"serving"/, workload };
  }
}

if (BEFORE) {
  for (const name of SAME_BEFORE) {
    const config = `${name}.yaml`;
    SERVERS[`${name}@before`] = {
      ...SERVERS[name],
      start: sidecar(`${name}@before`, config, BEFORE),
    };
  }
}
function profileFlags(name) {
  return CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", join(CPU_PROF, name)] : [];
}

/** A server not ready this long after its start is a bug to report, not a wait to extend. */
const START_TIMEOUT_MS = 30_000;

function startServer(name) {
  const child = SERVERS[name].start();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${name} was not ready ${START_TIMEOUT_MS / 1000} s after its start`));
    }, START_TIMEOUT_MS);
    const onData = (chunk) => {
      if (!SERVERS[name].ready.test(chunk.toString())) return;
      clearTimeout(timer);
      resolve(child);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}`));
    });
  });
}

/** The server process and its children (cluster workers). */
const tree = (pid) => [
  pid,
  ...readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return (
          readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1].split(" ")[1] === String(pid)
        );
      } catch {
        return false;
      }
    })
    .map(Number),
];
const cpuSeconds = (pid) =>
  tree(pid).reduce((sum, p) => {
    const fields = readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1].split(" ");
    return sum + (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, 1/100 s ticks
  }, 0);
const peakRssMb = (pid) =>
  tree(pid).reduce(
    (sum, p) =>
      sum + Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, "utf8"))[1]) / 1024,
    0,
  );

function ghz(port, data, options) {
  const dataFile = join(WORK, "request.json");
  writeFileSync(dataFile, JSON.stringify(data));
  const argv = [
    "--insecure",
    "--proto",
    "proto/envoy/service/auth/v3/external_auth.proto",
    "--import-paths",
    "proto",
    "--call",
    "envoy.service.auth.v3.Authorization/Check",
    "--data-file",
    dataFile,
    "--format",
    "json",
    "-z",
    `${options.seconds}s`,
    "--duration-stop",
    "wait",
    "-c",
    String(options.concurrency),
  ];
  if (options.rate) argv.push("-r", String(options.rate));
  const result = JSON.parse(
    sh(...onCpus(GHZ_CPUS, join(BIN, "ghz"), [...argv, `127.0.0.1:${port}`]), {
      maxBuffer: 64 * 1024 * 1024,
    }),
  );
  const p = (q) =>
    (result.latencyDistribution ?? []).find((x) => x.percentage === q)?.latency / 1e6;
  const errors = Object.entries(result.statusCodeDistribution ?? {})
    .filter(([code]) => code !== "OK")
    .reduce((n, [, c]) => n + c, 0);
  return {
    rps: result.rps,
    count: result.count,
    p50: p(50),
    p90: p(90),
    p99: p(99),
    max: result.slowest / 1e6,
    errors,
  };
}

/** Cumulative counts of our Check-duration histogram by bucket bound (seconds), from /metrics. */
async function checkDurationBuckets(admin) {
  const text = await scrape(admin);
  const buckets = new Map();
  for (const [, le, count] of text.matchAll(
    /^openclaw_authz_check_duration_seconds_bucket\{.*?le="([^"]+)".*?\} (\d+)$/gm,
  )) {
    buckets.set(le, (buckets.get(le) ?? 0) + Number(count));
  }
  return buckets;
}

/** Rate-limit verdicts so far by source (`redis`, `local`, `none`), from /metrics. */
async function rateLimitSources(admin) {
  const sources = {};
  for (const [, source, count] of (await scrape(admin)).matchAll(
    /^openclaw_authz_ratelimit_checks_total\{.*?source="(\w+)".*?\} (\d+)$/gm,
  )) {
    sources[source] = (sources[source] ?? 0) + Number(count);
  }
  return sources;
}

/** The share of the verdicts between two scrapes that Redis decided (undefined: none counted). */
function redisShare(before, after) {
  const total = Object.keys(after).reduce((n, k) => n + after[k] - (before[k] ?? 0), 0);
  return total > 0 ? ((after.redis ?? 0) - (before.redis ?? 0)) / total : undefined;
}

function scrape(admin) {
  // A fresh connection each time: a kept-alive one would be closed by the server during a run.
  return new Promise((resolve, reject) =>
    get({ host: "127.0.0.1", port: admin, path: "/metrics", agent: false }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => {
        body += chunk;
      });
      response.on("end", () => resolve(body));
    }).on("error", reject),
  );
}

/** The smallest bucket bound (ms) holding 99 % of the checks observed between two scrapes. */
function p99Bound(before, after) {
  const total = after.get("+Inf") - before.get("+Inf");
  for (const [le, count] of after) {
    if (count - before.get(le) >= 0.99 * total) return le === "+Inf" ? Infinity : Number(le) * 1000;
  }
  return undefined;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** A throwaway redis-server for `ours-rl-redis`, on its own port, nothing saved. */
async function startBenchRedis() {
  const child = spawn(
    "redis-server",
    ["--port", String(BENCH_REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk) => /Ready to accept/.test(chunk) && resolve());
    child.once("exit", (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  return child;
}

async function measure(name) {
  const redis = SERVERS[name].needsRedis ? await startBenchRedis() : undefined;
  try {
    return await measureServer(name);
  } finally {
    redis?.kill("SIGKILL");
  }
}

async function measureServer(name) {
  const child = await startServer(name);
  const { port } = SERVERS[name];
  const figures = {};
  try {
    for (const [workload, data] of Object.entries(WORKLOADS)) {
      if (SERVERS[name].workload && SERVERS[name].workload !== workload) continue;
      ghz(port, data, { seconds: 2, concurrency: 16 }); // warm-up: keys, caches, JIT
      const runs = [];
      for (let run = 0; run < RUNS; run++) {
        const { admin } = SERVERS[name];
        const sourcesBefore = SERVERS[name].needsRedis && (await rateLimitSources(admin));
        const before = cpuSeconds(child.pid);
        const saturation = ghz(port, data, { seconds: DURATION, concurrency: 32 });
        const cpuPer10k = ((cpuSeconds(child.pid) - before) / saturation.count) * 10_000;
        // With the buckets in Redis: how many verdicts Redis gave (the rest local, after a late answer).
        if (sourcesBefore)
          saturation.redisShare = redisShare(sourcesBefore, await rateLimitSources(admin));
        const bucketsBefore = admin && (await checkDurationBuckets(admin));
        const fixed = ghz(port, data, { seconds: DURATION, concurrency: 16, rate: 1000 });
        // Our own view of the same checks: decode to response, without transport and client.
        if (admin) fixed.handlerP99 = p99Bound(bucketsBefore, await checkDurationBuckets(admin));
        const half = ghz(port, data, {
          seconds: DURATION,
          concurrency: 16,
          rate: Math.max(1, Math.floor(saturation.rps / 2)),
        });
        runs.push({ saturation, fixed, half, cpuPer10k });
        log(
          name,
          workload,
          `run ${run + 1}: ${saturation.rps.toFixed(0)} req/s, p99@1000 ${fixed.p99?.toFixed(2)} ms`,
        );
      }
      const pick = (phase, key) => median(runs.map((r) => r[phase][key]));
      figures[workload] = {
        saturationRps: pick("saturation", "rps"),
        at1000: {
          p50: pick("fixed", "p50"),
          p90: pick("fixed", "p90"),
          p99: pick("fixed", "p99"),
          max: pick("fixed", "max"),
          rps: pick("fixed", "rps"),
          ...(SERVERS[name].admin ? { handlerP99Bound: pick("fixed", "handlerP99") } : {}),
        },
        atHalf: {
          p50: pick("half", "p50"),
          p90: pick("half", "p90"),
          p99: pick("half", "p99"),
          max: pick("half", "max"),
          rps: pick("half", "rps"),
        },
        cpuSecondsPer10k: median(runs.map((r) => r.cpuPer10k)),
        ...(runs[0]?.saturation.redisShare === undefined
          ? {}
          : { redisShare: median(runs.map((r) => r.saturation.redisShare)) }),
        errors: runs.reduce((n, r) => n + r.saturation.errors + r.fixed.errors + r.half.errors, 0),
      };
    }
    return { figures, peakRssMb: peakRssMb(child.pid) };
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
}

// ---------------------------------------------------------------------------- run and report
const results = {
  date: new Date().toISOString(),
  machine: `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
  commit: sh("git", ["rev-parse", "--short", "HEAD"]).trim(),
  nodeOptions: IMAGE_NODE_OPTIONS,
  durationSeconds: DURATION,
  runs: RUNS,
  ...(args.pin ? { pin: { server: SERVER_CPUS, ghz: GHZ_CPUS } } : {}),
  ...(args.workers ? { workers: Number(args.workers) } : {}),
  servers: {},
};
// ours-traced's trace backend: takes each OTLP export (a protobuf body) and drops it.
const otlpSink = ONLY.includes("ours-traced")
  ? createServer((request, response) => {
      request.resume();
      request.on("end", () =>
        response.writeHead(200, { "content-type": "application/x-protobuf" }).end(),
      );
    }).listen(OTLP_SINK_PORT, "127.0.0.1")
  : undefined;
for (const name of ONLY) {
  log(`measuring ${name}`);
  results.servers[name] = await measure(name);
}
otlpSink?.close();
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
writeFileSync(join(ROOT, `bench/results/${OUT}.json`), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(ROOT, `bench/results/${OUT}.md`), table(results));
console.log(table(results));

function table(r) {
  const fmt = (n, digits = 0) => (n === undefined || Number.isNaN(n) ? "–" : n.toFixed(digits));
  const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : "–");
  const lines = [
    `Measured ${r.date.slice(0, 10)} at ${r.commit} on ${r.machine}; ${r.pin ? `each server on CPU ${r.pin.server}, ghz on CPU ${r.pin.ghz} (taskset)` : "ghz and the server share the machine"}; ${r.runs} runs of ${r.durationSeconds} s, medians.${r.workers ? ` server.workers: ${r.workers} in ours' configs.` : ""}`,
    `Our sidecar and the null server run with the Docker image's V8 flags (\`${r.nodeOptions}\`).`,
    `\`peer\` is the reference server on OPA ${OPA_VERSION}'s Go evaluator (opa-envoy-plugin itself cannot be fetched here).`,
    "",
    "| workload | server | saturation req/s | ours/peer | ours/null | p50 / p90 / p99 / max ms @1000 rps | p99 ms @50 % sat | CPU s / 10k | peak RSS MB | errors |",
    "|---|---|---:|---:|---:|---|---:|---:|---:|---:|",
  ];
  for (const workload of Object.keys(WORKLOADS)) {
    for (const [name, server] of Object.entries(r.servers)) {
      const f = server.figures[workload];
      if (!f) continue;
      const at = f.at1000;
      const ours = name.startsWith("ours");
      const peer = r.servers[name === "ours-trivial" ? "peer-trivial" : "peer"];
      lines.push(
        `| ${workload} | ${name} | ${fmt(f.saturationRps)} | ${ours ? ratio(f.saturationRps, peer?.figures[workload]?.saturationRps) : ""} | ${ours ? ratio(f.saturationRps, r.servers.null?.figures[workload]?.saturationRps) : ""} | ${fmt(at.p50, 2)} / ${fmt(at.p90, 2)} / ${fmt(at.p99, 2)} / ${fmt(at.max, 1)} | ${fmt(f.atHalf.p99, 2)} | ${fmt(f.cpuSecondsPer10k, 2)} | ${fmt(server.peakRssMb)} | ${f.errors} |`,
      );
    }
  }
  const rego = Object.keys(WORKLOADS)
    .map((w) => [w.slice(0, 1), r.servers["ours-rego"]?.figures[w], r.servers.ours?.figures[w]])
    .filter(([, inRego, inSidecar]) => inRego && inSidecar);
  if (rego.length > 0) {
    lines.push(
      "",
      `JWT verified in Rego (ours-rego) against verified by the sidecar (ours), CPU per check: ${rego.map(([w, inRego, inSidecar]) => `${ratio(inRego.cpuSecondsPer10k, inSidecar.cpuSecondsPer10k)} (${w})`).join(", ")}.`,
    );
  }
  const floor = Object.keys(WORKLOADS)
    .map((w) => [w.slice(0, 1), r.servers["ours-trivial"]?.figures[w], r.servers.null?.figures[w]])
    .filter(([, trivial, grpc]) => trivial && grpc);
  if (floor.length > 0) {
    lines.push(
      "",
      `The trivial policy in ours (ours-trivial) against the null server: saturation ${floor.map(([w, trivial, grpc]) => `${ratio(trivial.saturationRps, grpc.saturationRps)} (${w})`).join(", ")}; CPU per check ${floor.map(([w, trivial, grpc]) => `${ratio(trivial.cpuSecondsPer10k, grpc.cpuSecondsPer10k)} (${w})`).join(", ")}.`,
    );
  }
  const traced = Object.keys(WORKLOADS)
    .map((w) => [w.slice(0, 1), r.servers["ours-traced"]?.figures[w], r.servers.ours?.figures[w]])
    .filter(([, on, off]) => on && off);
  if (traced.length > 0) {
    lines.push(
      "",
      `Every check traced (ours-traced) against tracing off (ours): saturation ${traced.map(([w, on, off]) => `${ratio(on.saturationRps, off.saturationRps)} (${w})`).join(", ")}; CPU per check ${traced.map(([w, on, off]) => `${ratio(on.cpuSecondsPer10k, off.cpuSecondsPer10k)} (${w})`).join(", ")}.`,
    );
  }
  const limited = Object.keys(WORKLOADS)
    .map((w) => [
      w.slice(0, 1),
      r.servers.ours?.figures[w],
      r.servers["ours-rl"]?.figures[w],
      r.servers["ours-rl-redis"]?.figures[w],
      r.servers["ours-rl-redis-1s"]?.figures[w],
    ])
    .filter(([, off, local, redis, redisOnly]) => off && (local || redis || redisOnly));
  if (limited.length > 0) {
    const against = (f, off) =>
      f
        ? `${ratio(f.cpuSecondsPer10k, off.cpuSecondsPer10k)} / ${ratio(f.saturationRps, off.saturationRps)}`
        : "–";
    lines.push(
      "",
      `Rate limits against ours, CPU per check / saturation: local buckets (ours-rl) ${limited.map(([w, off, local]) => `${against(local, off)} (${w})`).join(", ")}; in Redis (ours-rl-redis) ${limited.map(([w, off, , redis]) => `${against(redis, off)} (${w})`).join(", ")}, Redis deciding ${limited.map(([w, , , redis]) => `${redis?.redisShare === undefined ? "–" : `${Math.round(100 * redis.redisShare)} %`} (${w})`).join(", ")} of the verdicts at saturation (the rest local, for \`retryInterval\` after an answer later than \`rateLimit.budget\`); every verdict Redis's (ours-rl-redis-1s, a 1 s budget) ${limited.map(([w, off, , , redisOnly]) => `${against(redisOnly, off)} (${w})`).join(", ")}.`,
    );
  }
  const chainCost = Object.keys(WORKLOADS)
    .map((w) => [
      w.slice(0, 1),
      r.servers["ours-logged"]?.figures[w],
      r.servers["ours-chained"]?.figures[w],
      r.servers["ours-audit"]?.figures[w],
    ])
    .filter(([, logged, chained]) => logged && chained);
  if (chainCost.length > 0) {
    lines.push(
      "",
      `The decision log's chain against the unchained log (ours-chained, ours-audit against ours-logged), CPU per check: ${chainCost.map(([w, logged, chained, audit]) => `${ratio(chained.cpuSecondsPer10k, logged.cpuSecondsPer10k)}${audit ? ` / ${ratio(audit.cpuSecondsPer10k, logged.cpuSecondsPer10k)}` : ""} (${w})`).join(", ")}.`,
    );
  }
  const befores = [...SAME_BEFORE].filter((name) => r.servers[`${name}@before`] && r.servers[name]);
  if (befores.length > 0) {
    lines.push(
      "",
      `This build against --before, saturation: ${befores
        .flatMap((name) =>
          Object.keys(WORKLOADS).map(
            (w) =>
              `${name} ${ratio(r.servers[name].figures[w].saturationRps, r.servers[`${name}@before`].figures[w].saturationRps)} (${w.slice(0, 1)})`,
          ),
        )
        .join(", ")}.`,
    );
  }
  const handler = Object.keys(WORKLOADS)
    .map((w) => [w.slice(0, 1), r.servers.ours?.figures[w]?.at1000.handlerP99Bound])
    .filter(([, bound]) => bound !== undefined);
  if (handler.length > 0) {
    lines.push(
      "",
      `The same 1000 rps from inside ours (\`openclaw_authz_check_duration_seconds\`, decode to response, no transport): p99 ≤ ${handler.map(([w, bound]) => `${bound} ms (${w})`).join(", ")}.`,
    );
  }
  const tables = routeTables.filter(({ size }) => r.servers[`routes-${size}`]);
  if (tables.length > 0) {
    const saturation = (name, { workload }) => r.servers[name]?.figures[workload]?.saturationRps;
    const [first, last] = [tables[0], tables.at(-1)];
    const across = (suffix) =>
      ratio(
        saturation(`routes-${last.size}${suffix}`, last),
        saturation(`routes-${first.size}${suffix}`, first),
      );
    lines.push(
      "",
      `Saturation, routes indexed against every route tried (the cache off): ${tables.map((t) => `${ratio(saturation(`routes-${t.size}`, t), saturation(`routes-${t.size}-scan`, t))} at ${t.size.toLocaleString("en")}`).join(", ")}; at ${last.size.toLocaleString("en")} routes against ${first.size.toLocaleString("en")}: ${across("")} indexed, ${across("-scan")} every route tried.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

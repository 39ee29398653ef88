#!/usr/bin/env node
// npm run bench:stages [-- --iterations N --before DIR --out NAME --routes --workloads a,b]
//
// Where a check's time goes: each step of our pipeline timed on its own, in one process, with the
// CheckRequests of bench/run.mjs (wire bytes, as grpc-js hands them over). No gRPC, no ghz: the
// transport is the null server's share in bench/results. Each step is the pipeline's own module
// (`Pipeline.steps`), called as the authorizer calls it. With --before DIR (the dist/ of another
// build of this layout, src/sidecar/, say an older commit's), both builds are timed step by step,
// alternating, in the same run. With --routes, the route tables of bench/fixtures.mjs instead
// (10, 1,000 and 10,000 routes, the cache off): policy evaluation and the whole check, the
// policy before the route index (every route tried) against the shipped one (routes indexed).
// Results: bench/results/stages.{json,md}, with --routes stages-routes.{json,md}.
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import pino from "pino";
import { log, parseArgs, prepare, ROOT, sh, WORK } from "./fixtures.mjs";

const args = parseArgs(process.argv.slice(2));
const ITERATIONS = Number(args.iterations ?? 5_000);
const ROUNDS = 5;
/** Rounds of --routes: shorter than the workloads', more of them. */
const ROUTE_ROUNDS = 15;
const ROUTES = "routes" in args;
const OUT = args.out ?? (ROUTES ? "stages-routes" : "stages");
/** --workloads a,b: only the workloads whose names start with these letters. */
const ONLY = args.workloads?.split(",");

const { workloads, routeTables } = await prepare();

/** One build's pipeline (configured by build/bench/CONFIG) and the steps it is made of. */
async function loadBuild(dist, configName = "ours.yaml") {
  const load = (module) => import(pathToFileURL(join(dist, module)).href);
  const { decisionToResponse } = await load("authz/index.js");
  const { createCacheKey } = await load("cache/index.js");
  const { createPipeline, openPolicy } = await load("sidecar/index.js");
  const { loadConfig } = await load("config/index.js");
  const { createRequestDecoder, createResponseEncoder, fromProtoJson } =
    await load("grpc/index.js");
  const { stringifyJson } = await load("input/index.js");

  const config = await loadConfig(join(WORK, configName));
  const logger = pino({ level: "silent" });
  const opened = await openPolicy(config, { logger, watch: false });
  const { store } = opened;
  const policy = store.current();
  const policies = { current: () => policy };
  const cached = await createPipeline(config, { policies, logger, fetch });
  const uncached = await createPipeline(
    { ...config, cache: { ...config.cache, enabled: false } },
    { policies, logger, fetch },
  );
  const { protos, steps: pipeline } = cached;
  const decode = createRequestDecoder(protos.checkRequest);
  const encode = createResponseEncoder(protos.checkResponse);
  const cacheKey = createCacheKey(config.cache.ignore);
  // Builds before 2026-12-03 evaluate JSON bytes, later ones JSON text.
  const encoder = new TextEncoder();
  const takesText = await policy.evaluate("{}").then(
    () => true,
    () => false,
  );
  const toJson = takesText ? stringifyJson : (input) => encoder.encode(stringifyJson(input));
  const copy = takesText ? (json) => json : (json) => json.slice();

  /** Wire bytes for request `n` of a workload (ghz's `{{.RequestNumber}}` filled in). */
  const wire = (requests, n) => {
    const json = JSON.stringify(requests[n % requests.length]).replaceAll(
      "{{.RequestNumber}}",
      String(n),
    );
    const message = fromProtoJson(protos.checkRequest, JSON.parse(json));
    return protos.checkRequest.encode(message).finish();
  };

  /** The steps of one workload, each a function of the request number. */
  async function steps(requests, count) {
    const bytes = Array.from({ length: count }, (_, n) => wire(requests, n));
    const messages = bytes.map((b) => decode(b));
    const built = await Promise.all(messages.map((m) => pipeline.input.build(m)));
    const verified = await Promise.all(built.map((b) => pipeline.identity.verify(b)));
    // What the authorizer gives the cache and the policy: the document with its identity.
    const inputs = built.map((b, n) => ({ ...b.document, identity: verified[n].identity }));
    const serialized = inputs.map(toJson);
    // Builds before bc89b50 transfer evaluate()'s buffer to the thread: a copy per call keeps
    // them and --before comparable (text is copied by every build).
    const decision = await policy.evaluate(copy(serialized[0]));
    return {
      "decode (protobufjs)": (n) => decode(bytes[n]),
      "input document": (n) => pipeline.input.build(messages[n]),
      "identity (verified-cache warm)": (n) => pipeline.identity.verify(built[n]),
      "cache key": (n) => cacheKey(inputs[n], policy.id),
      "input to JSON": (n) => toJson(inputs[n]),
      "policy (wasm, on a thread)": (n) => policy.evaluate(copy(serialized[n])),
      "response (map + encode)": () => encode(decisionToResponse(decision.value).response),
      "whole check, cache on": (n) => cached.authorizer.check(decode(bytes[n])),
      "whole check, cache off": (n) => uncached.authorizer.check(decode(bytes[n])),
    };
  }

  return {
    dist: commitOf(dist),
    steps,
    close() {
      cached.close();
      uncached.close();
      opened.close();
    },
  };
}

/** The commit a dist/ was built from (its checkout's HEAD), else its path. */
function commitOf(dist) {
  try {
    return sh("git", ["-C", join(dist, ".."), "rev-parse", "--short", "HEAD"], {
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return dist;
  }
}

/**
 * µs per call of `step(n)`: ITERATIONS warm-up calls, then ROUNDS rounds of ITERATIONS fresh
 * requests (workload b must never hit the cache); the median round's mean (this machine's noise
 * comes in bursts that a mean would keep).
 */
async function time(step) {
  for (let n = 0; n < ITERATIONS; n++) await step(n);
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    for (let n = 0; n < ITERATIONS; n++) await step((round + 1) * ITERATIONS + n);
    rounds.push(Number(process.hrtime.bigint() - started) / 1000 / ITERATIONS);
  }
  return rounds.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)];
}

/**
 * Calls per round for `step`: as many as take about `seconds` (20 to ITERATIONS), counted after
 * 0.2 s of warm-up calls (the first ones compile, fill caches and verify tokens).
 */
async function callsPerRound(step, seconds) {
  let n = 0;
  for (const until = performance.now() + 200; performance.now() < until; ) await step(n++);
  const started = performance.now();
  let calls = 0;
  while (performance.now() - started < (seconds * 1000) / 4) await step(n + calls++);
  const perCall = (performance.now() - started) / 1000 / calls;
  return Math.max(20, Math.min(ITERATIONS, Math.round(seconds / perCall)));
}

/**
 * {us, calls} of each of `steps`: as many calls per round as take about 0.2 s (at most
 * ITERATIONS), as many warm-up calls, then ROUTE_ROUNDS rounds of each step in turn, so that a
 * burst of noise lands on all of them; the median round's mean.
 */
async function timeInTurn(steps) {
  const calls = [];
  for (const step of steps) calls.push(await callsPerRound(step, 0.2));
  for (const [i, step] of steps.entries()) for (let n = 0; n < calls[i]; n++) await step(n);
  const rounds = steps.map(() => []);
  for (let round = 0; round < ROUTE_ROUNDS; round++) {
    for (const [i, step] of steps.entries()) {
      const started = process.hrtime.bigint();
      for (let n = 0; n < calls[i]; n++) await step((round + 1) * calls[i] + n);
      rounds[i].push(Number(process.hrtime.bigint() - started) / 1000 / calls[i]);
    }
  }
  return rounds.map((times, i) => ({
    us: times.sort((a, b) => a - b)[Math.floor(ROUTE_ROUNDS / 2)],
    calls: calls[i],
  }));
}

const { results, lines } = ROUTES ? await timeRouteTables() : await timeWorkloads();
writeFileSync(join(ROOT, `bench/results/${OUT}.json`), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(ROOT, `bench/results/${OUT}.md`), `${lines.join("\n")}\n`);
console.log(lines.join("\n"));

/** Every step of every workload, for this build (and --before's). */
async function timeWorkloads() {
  const builds = { after: await loadBuild(join(ROOT, "dist")) };
  if (args.before) builds.before = await loadBuild(resolve(args.before));
  const results = {
    date: new Date().toISOString(),
    builds: Object.fromEntries(Object.entries(builds).map(([name, build]) => [name, build.dist])),
    iterations: ITERATIONS,
    rounds: ROUNDS,
    workloads: {},
  };
  for (const [workload, requests] of Object.entries(workloads)) {
    if (ONLY && !ONLY.includes(workload.slice(0, 1))) continue;
    log(`stages: ${workload}`);
    const stepsByBuild = {};
    for (const [name, build] of Object.entries(builds)) {
      stepsByBuild[name] = await build.steps(requests, (ROUNDS + 1) * ITERATIONS);
    }
    const figures = {};
    for (const step of Object.keys(stepsByBuild.after)) {
      figures[step] = {};
      for (const name of Object.keys(builds))
        figures[step][name] = await time(stepsByBuild[name][step]);
    }
    results.workloads[workload] = figures;
  }
  for (const build of Object.values(builds)) build.close();

  const cell = (figure) =>
    figure.before === undefined
      ? figure.after.toFixed(1)
      : `${figure.before.toFixed(1)} → ${figure.after.toFixed(1)}`;
  const names = Object.keys(results.workloads);
  const lines = [
    `Measured ${results.date.slice(0, 10)}; µs per call: median of ${ROUNDS} rounds of ${ITERATIONS} calls, after as many warm-up calls; one process, no gRPC.`,
    builds.before
      ? `Each cell: ${builds.before.dist} → ${builds.after.dist}, timed alternately in the same run.`
      : `Build: ${builds.after.dist}.`,
    "",
    `| step | ${names.join(" | ")} |`,
    `|---|${names.map(() => "---:").join("|")}|`,
    ...Object.keys(results.workloads[names[0]]).map(
      (step) => `| ${step} | ${names.map((w) => cell(results.workloads[w][step])).join(" | ")} |`,
    ),
  ];
  return { results, lines };
}

/**
 * Policy evaluation and the whole check (cache off) for every route table, with the policy
 * before the index (scan) and the shipped one (indexed): all six loaded side by side and timed
 * in turn, so that sizes are compared under the same noise; a workload's 16 requests in turn.
 */
async function timeRouteTables() {
  const dist = join(ROOT, "dist");
  const results = { date: new Date().toISOString(), build: commitOf(dist), rounds: ROUTE_ROUNDS };
  results.tables = {};
  const variants = routeTables.flatMap((table) =>
    ["scan", "indexed"].map((variant) => ({ table, variant })),
  );
  const builds = await Promise.all(
    variants.map(({ table, variant }) => loadBuild(dist, table[variant].config)),
  );
  const requestsOf = variants.map(({ table }) => table.requests);
  const stepsOf = await Promise.all(
    builds.map((build, i) => build.steps(requestsOf[i], requestsOf[i].length)),
  );
  for (const step of ["policy (wasm, on a thread)", "whole check, cache off"]) {
    log(`stages: ${step}, ${routeTables.map((t) => t.workload).join(", ")}`);
    const cycled = stepsOf.map((steps, i) => (n) => steps[step](n % requestsOf[i].length));
    for (const [i, figure] of (await timeInTurn(cycled)).entries()) {
      const { table, variant } = variants[i];
      results.tables[table.size] ??= {};
      results.tables[table.size][step] ??= {};
      results.tables[table.size][step][variant] = figure;
    }
  }
  for (const build of builds) build.close();
  const sizes = Object.keys(results.tables);
  const steps = Object.keys(results.tables[sizes[0]]);
  const us = (size, step, variant) => results.tables[size][step][variant].us;
  const growth = (variant) =>
    (us(sizes.at(-1), steps[0], variant) / us(sizes[0], steps[0], variant)).toFixed(2);
  const lines = [
    `Measured ${results.date.slice(0, 10)} at ${results.build}; µs per call: median of ${ROUTE_ROUNDS} rounds of up to ${ITERATIONS} calls (as many as take about 0.2 s), after as many warm-up calls, the rounds of all six in turn; one process, no gRPC, the cache off.`,
    "Each cell: every route tried in order (test/fixtures/route-scan, the policy before the index) → routes indexed (the shipped policy built by scripts/build-policy).",
    "",
    `| routes | ${steps.join(" | ")} |`,
    `|---:|${steps.map(() => "---:").join("|")}|`,
    ...sizes.map(
      (size) =>
        `| ${Number(size).toLocaleString("en")} | ${steps.map((step) => `${us(size, step, "scan").toFixed(1)} → ${us(size, step, "indexed").toFixed(1)}`).join(" | ")} |`,
    ),
    "",
    `Policy evaluation at ${Number(sizes.at(-1)).toLocaleString("en")} routes against ${sizes[0]}: ${growth("indexed")}× indexed, ${growth("scan")}× every route tried.`,
  ];
  return { results, lines };
}

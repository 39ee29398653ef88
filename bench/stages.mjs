#!/usr/bin/env node
// npm run bench:stages [-- --iterations N --dist DIR --out NAME]
//
// Where a check's time goes: each step of our pipeline timed on its own, in one process, with the
// CheckRequests of bench/run.mjs (wire bytes, as grpc-js hands them over). No gRPC, no ghz: the
// transport is the null server's share in bench/results. Results: bench/results/stages.{json,md}.
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import pino from "pino";
import { log, parseArgs, prepare, ROOT, WORK } from "./fixtures.mjs";

const args = parseArgs(process.argv.slice(2));
const ITERATIONS = Number(args.iterations ?? 5_000);
const ROUNDS = 5;
// --dist DIR: time another build (say, an older commit's) for a before/after comparison.
const DIST = resolve(args.dist ?? join(ROOT, "dist"));
const load = (module) => import(pathToFileURL(join(DIST, module)).href);
const { decisionToResponse } = await load("authz/index.js");
const { createCacheKey } = await load("cache/index.js");
const { createPipeline } = await load("cli/pipeline.js");
const { openPolicy } = await load("cli/policy.js");
const { loadConfig } = await load("config/index.js");
const { createRequestDecoder, createResponseEncoder, fromProtoJson } = await load("grpc/index.js");
const { stringifyJson, toInput } = await load("input/index.js");

const { workloads } = await prepare();
const config = await loadConfig(join(WORK, "ours.yaml"));
const logger = pino({ level: "silent" });
const { store } = await openPolicy(config, { logger, watch: false });
const policy = store.current();
const cached = await createPipeline(config, { policy: () => policy, logger, fetch });
const uncached = await createPipeline(
  { ...config, cache: { ...config.cache, enabled: false } },
  { policy: () => policy, logger, fetch },
);
const { protos, identity } = cached;
const decode = createRequestDecoder(protos.checkRequest);
const encode = createResponseEncoder(protos.checkResponse);
const cacheKey = createCacheKey(config.cache.ignore);
const encoder = new TextEncoder();

/** Wire bytes for request `n` of a workload (ghz's `{{.RequestNumber}}` filled in). */
const wire = (requests, n) => {
  const json = JSON.stringify(requests[n % requests.length]).replaceAll(
    "{{.RequestNumber}}",
    String(n),
  );
  return protos.checkRequest.encode(fromProtoJson(protos.checkRequest, JSON.parse(json))).finish();
};

/**
 * µs per call of `step(n)`: ITERATIONS warm-up calls, then ROUNDS rounds of ITERATIONS calls;
 * the median round's mean (this machine's noise comes in bursts that a mean would keep).
 */
async function time(step) {
  for (let n = 0; n < ITERATIONS; n++) await step(n);
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    // Fresh requests every round: workload b must never hit the cache.
    for (let n = 0; n < ITERATIONS; n++) await step((round + 1) * ITERATIONS + n);
    rounds.push(Number(process.hrtime.bigint() - started) / 1000 / ITERATIONS);
  }
  return rounds.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)];
}

const results = {
  date: new Date().toISOString(),
  dist: DIST.startsWith(ROOT) ? DIST.slice(ROOT.length + 1) : DIST,
  iterations: ITERATIONS,
  workloads: {},
};
for (const [name, requests] of Object.entries(workloads)) {
  log(`stages: ${name}`);
  const bytes = Array.from({ length: (ROUNDS + 1) * ITERATIONS }, (_, n) => wire(requests, n));
  const messages = bytes.map((b) => decode(b));
  const inputs = await Promise.all(
    messages.map((m) => toInput(protos.checkRequest, m, config.policy)),
  );
  const verified = await Promise.all(inputs.map((input) => identity.verify(input)));
  inputs.forEach((input, n) => {
    input.identity = verified[n].identity;
  });
  const serialized = inputs.map((input) => encoder.encode(stringifyJson(input)));
  const decision = policy.evaluate(serialized[0]);
  results.workloads[name] = {
    "decode (protobufjs)": await time((n) => decode(bytes[n])),
    "input document": await time((n) => toInput(protos.checkRequest, messages[n], config.policy)),
    "identity (verified-cache warm)": await time((n) => identity.verify(inputs[n])),
    "cache key": await time((n) => cacheKey(inputs[n], policy.revision)),
    "input to JSON": await time((n) => encoder.encode(stringifyJson(inputs[n]))),
    "policy (wasm)": await time((n) => policy.evaluate(serialized[n])),
    "response (map + encode)": await time(() =>
      encode(decisionToResponse(decision.value).response),
    ),
    "whole check, cache on": await time((n) => cached.authorizer.check(decode(bytes[n]))),
    "whole check, cache off": await time((n) => uncached.authorizer.check(decode(bytes[n]))),
  };
}
cached.close();
uncached.close();

const steps = Object.keys(Object.values(results.workloads)[0]);
const lines = [
  `Measured ${results.date.slice(0, 10)} (${results.dist}); µs per call: median of ${ROUNDS} rounds of ${ITERATIONS} calls, after as many warm-up calls; one process, no gRPC.`,
  "",
  `| step | ${Object.keys(results.workloads).join(" | ")} |`,
  `|---|${Object.keys(results.workloads)
    .map(() => "---:")
    .join("|")}|`,
  ...steps.map(
    (step) =>
      `| ${step} | ${Object.values(results.workloads)
        .map((w) => w[step].toFixed(1))
        .join(" | ")} |`,
  ),
];
const out = args.out ?? "stages";
writeFileSync(join(ROOT, `bench/results/${out}.json`), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(ROOT, `bench/results/${out}.md`), `${lines.join("\n")}\n`);
console.log(lines.join("\n"));

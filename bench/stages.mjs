#!/usr/bin/env node
// npm run bench:stages [-- --iterations N]
//
// Where a check's time goes: each step of our pipeline timed on its own, in one process, with the
// CheckRequests of bench/run.mjs (wire bytes, as grpc-js hands them over). No gRPC, no ghz: the
// transport is the null server's share in bench/results. Results: bench/results/stages.{json,md}.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { decisionToResponse } from "../dist/authz/index.js";
import { createCacheKey } from "../dist/cache/index.js";
import { createPipeline } from "../dist/cli/pipeline.js";
import { openPolicy } from "../dist/cli/policy.js";
import { loadConfig } from "../dist/config/index.js";
import { createRequestDecoder, createResponseEncoder, fromProtoJson } from "../dist/grpc/index.js";
import { stringifyJson, toInput } from "../dist/input/index.js";
import { log, parseArgs, prepare, ROOT, WORK } from "./fixtures.mjs";

const args = parseArgs(process.argv.slice(2));
const ITERATIONS = Number(args.iterations ?? 20_000);

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

/** Mean µs per call of `step(n)` over ITERATIONS calls, after a warm-up of the same length. */
async function time(step) {
  for (let n = 0; n < ITERATIONS; n++) await step(n);
  const started = process.hrtime.bigint();
  for (let n = 0; n < ITERATIONS; n++) await step(ITERATIONS + n);
  return Number(process.hrtime.bigint() - started) / 1000 / ITERATIONS;
}

const results = { date: new Date().toISOString(), iterations: ITERATIONS, workloads: {} };
for (const [name, requests] of Object.entries(workloads)) {
  log(`stages: ${name}`);
  const bytes = Array.from({ length: 2 * ITERATIONS }, (_, n) => wire(requests, n));
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
  `Measured ${results.date.slice(0, 10)}; µs per call, mean of ${ITERATIONS} calls after as many warm-up calls; one process, no gRPC.`,
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

#!/usr/bin/env node
// npm run bench:startup [-- --runs N --config FILE]
//
// Start-up of `openclaw-authz serve` with the shipped bundle (bench/fixtures.mjs's ours.yaml: the
// shipped policy, JWT issuer and SPIFFE trust domain configured, as config/demo.yaml has them):
// from spawning node to the first Check answered by the policy (a client retrying every 5 ms),
// and to the "serving" log line. Median and range of N runs (default 9), one at a time, with
// the Docker image's V8 flags. Results: bench/results/startup.{json,md}.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import {
  IMAGE_NODE_ARGS,
  IMAGE_NODE_OPTIONS,
  log,
  parseArgs,
  prepare,
  ROOT,
  sh,
  WORK,
} from "./fixtures.mjs";

const args = parseArgs(process.argv.slice(2));
const RUNS = Number(args.runs ?? 9);
await prepare();
const CONFIG = args.config ?? join(WORK, "ours.yaml");
const PORT = 9491; // ours.yaml's

const definition = loadSync("envoy/service/auth/v3/external_auth.proto", {
  includeDirs: [join(ROOT, "proto")],
});
const { envoy } = grpc.loadPackageDefinition(definition);
const publicRead = {
  attributes: { request: { http: { method: "GET", path: "/api/v1/public/docs", headers: {} } } },
};

/** Resolves with ms since `started` once a Check gets an answer (any decision) from `client`. */
function firstAnswer(client, started) {
  return new Promise((resolve) => {
    const attempt = () =>
      client.Check(publicRead, { deadline: Date.now() + 1000 }, (error) =>
        error ? setTimeout(attempt, 5) : resolve(performance.now() - started),
      );
    attempt();
  });
}

async function once() {
  const started = performance.now();
  const main = join(ROOT, "dist/main.js");
  const child = spawn("node", [...IMAGE_NODE_ARGS, main, "serve", "--config", CONFIG], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: IMAGE_NODE_OPTIONS ?? "" },
  });
  const servingLine = new Promise((resolve) => {
    const onData = (chunk) =>
      chunk.toString().includes('"msg":"serving"') && resolve(performance.now() - started);
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
  });
  // Reconnect every 5 ms while the port is closed (grpc-js backs off for a second by default).
  const client = new envoy.service.auth.v3.Authorization(
    `127.0.0.1:${PORT}`,
    grpc.credentials.createInsecure(),
    { "grpc.initial_reconnect_backoff_ms": 5, "grpc.max_reconnect_backoff_ms": 5 },
  );
  const [check, serving] = await Promise.all([firstAnswer(client, started), servingLine]);
  client.close();
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
  return { check, serving };
}

const runs = [];
for (let i = 0; i < RUNS; i++) {
  runs.push(await once());
  log(
    `run ${i + 1}: first Check ${runs.at(-1).check.toFixed(0)} ms, "serving" ${runs.at(-1).serving.toFixed(0)} ms`,
  );
}
const summary = (key) => {
  const values = runs.map((r) => r[key]).sort((a, b) => a - b);
  return {
    median: values[Math.floor(values.length / 2)],
    min: values[0],
    max: values.at(-1),
  };
};
const results = {
  date: new Date().toISOString(),
  commit: sh("git", ["rev-parse", "--short", "HEAD"]).trim(),
  runs: RUNS,
  firstCheckMs: summary("check"),
  servingLineMs: summary("serving"),
};
const ms = ({ median, min, max }) =>
  `${median.toFixed(0)} ms (${min.toFixed(0)}–${max.toFixed(0)})`;
const text = `Measured ${results.date.slice(0, 10)} at ${results.commit}; ${RUNS} starts of \`serve\` with the shipped bundle (bench ours.yaml), median (range).

| from spawning node to | time |
|---|---:|
| the first Check answered | ${ms(results.firstCheckMs)} |
| the "serving" log line | ${ms(results.servingLineMs)} |
`;
writeFileSync(join(ROOT, "bench/results/startup.json"), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(ROOT, "bench/results/startup.md"), text);
console.log(text);

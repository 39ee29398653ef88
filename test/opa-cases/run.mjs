#!/usr/bin/env node
/**
 * Runs OPA's own test corpus (v1/test/cases/testdata/v1 of the pinned opa module) through this
 * sidecar's engine: each case's modules and query built with the pinned `opa build -t wasm`,
 * batched, then loaded and evaluated by dist/policy (createEvaluationPool, our builtins) with the
 * case's data and input. Prints counts per directory and `opa-cases: N passed, M failed, K
 * skipped`; exits 1 on a failure not in exceptions.json. Usage: node test/opa-cases/run.mjs
 * [--filter substring] [--verbose]
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildBatch } from "./build.mjs";
import { entrypointOf, isSolo, loadCases, opaModuleDir } from "./cases.mjs";
import { judge } from "./judge.mjs";
import { parseQueryVars } from "./vars.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const { createEvaluationPool } = await import(join(ROOT, "dist/policy/index.js"));
const OPA = join(ROOT, ".tools/bin/opa");
const WORK = join(ROOT, "build/opa-cases");
const BATCH = 150;
const args = process.argv.slice(2);
const filter = args.includes("--filter") ? args[args.indexOf("--filter") + 1] : "";
const verbose = args.includes("--verbose");

/** exceptions.json maps each reason to the case notes it excuses; this is note → reason. */
function exceptionsByNote(path) {
  const byNote = {};
  for (const [reason, notes] of Object.entries(JSON.parse(readFileSync(path, "utf8")))) {
    for (const note of notes) {
      if (byNote[note] !== undefined) throw new Error(`${path}: ${note} is listed twice`);
      byNote[note] = reason;
    }
  }
  return byNote;
}

const version = /OPA_VERSION="([^"]+)"/.exec(readFileSync(join(ROOT, "scripts/lib.sh"), "utf8"))[1];
const exceptions = exceptionsByNote(join(ROOT, "test/opa-cases/exceptions.json"));
const started = Date.now();

const dir = opaModuleDir(version);
const cases = loadCases(join(dir, "v1/test/cases/testdata/v1")).filter(
  (c) => c.note.includes(filter) || c.file.includes(filter),
);
/** Case id → `{status: "pass"|"fail"|"skip", reason}`. */
const outcomes = new Map();
const skip = (c, reason) => outcomes.set(c.id, { status: "skip", reason });

mkdirSync(WORK, { recursive: true });
const vars = parseQueryVars(cases, OPA, WORK);
/** Builtins the engine refused to load, learnt from refusals: cases naming them are skipped. */
const missing = new Set();
const MISSING = /policy\.wasm calls builtins this sidecar does not provide: (.*)$/;
const calls = (c, name) =>
  new RegExp(`(^|[^\\w.])${name.replaceAll(".", "\\.")}\\s*\\(`).test(
    [...(c.modules ?? []), c.query].join("\n"),
  );
const needs = (c) => [...missing].filter((name) => calls(c, name));

function settle(c, outcome) {
  const verdict = judge(c, outcome);
  outcomes.set(
    c.id,
    verdict.pass ? { status: "pass" } : { status: "fail", reason: verdict.reason },
  );
}

function runnable(batch) {
  return batch.filter((c) => {
    if (outcomes.has(c.id)) return false;
    if (c.input_term !== undefined) {
      try {
        c.input = JSON.parse(c.input_term);
      } catch {
        skip(c, "input_term is not JSON (a Rego set or ref): Envoy's input document is JSON");
        return false;
      }
    }
    const v = vars.get(c.id);
    if (v?.error)
      return settle(c, { compileError: { code: "rego_parse_error", message: v.error } });
    c.vars = v;
    const lacking = needs(c);
    if (lacking.length > 0) skip(c, `builtin not provided (${lacking.join(", ")})`);
    return lacking.length === 0;
  });
}

const pool = createEvaluationPool(
  { threads: 2, timeoutMs: 10_000, maxMemoryPages: 1024 },
  { onError: () => {}, onPrint: () => {} },
);

async function evaluateModule({ wasm, built }) {
  const data = built.length === 1 && isSolo(built[0]) ? (built[0].data ?? {}) : {};
  for (const c of built) if (!isSolo(c)) data[c.id] = c.data ?? {};
  const module = await WebAssembly.compile(wasm);
  let policy;
  try {
    policy = await pool.load(module, new TextEncoder().encode(JSON.stringify(data)).buffer);
  } catch (error) {
    const m = MISSING.exec(error.message);
    if (!m) throw error;
    for (const entry of m[1].split(", ")) missing.add(entry.replace(/ \(.*$/, ""));
    const again = runnable(built);
    if (again.length === built.length) {
      for (const c of built) skip(c, `builtin not provided (${m[1]})`);
      return;
    }
    return runBatch(again, `${built[0].id}r`);
  }
  await Promise.all(
    built.map(async (c) => {
      const input = c.input === undefined ? "" : JSON.stringify(c.input);
      try {
        const evaluation = await policy.evaluate(input, policy.entrypoints[entrypointOf(c)]);
        settle(c, { bindings: evaluation.defined ? evaluation.value : [] });
      } catch (error) {
        settle(c, { evalError: error.message });
      }
    }),
  );
  policy.unload();
}

/**
 * OPA's capabilities with the experimental future keywords (`and`, `or`) added: what OPA's own
 * runner enables for a case marked `experimental_keywords`.
 */
function experimentalCapabilities() {
  const caps = JSON.parse(execFileSync(OPA, ["capabilities", "--current"], { encoding: "utf8" }));
  caps.future_keywords = [...new Set([...(caps.future_keywords ?? []), "and", "or"])].sort();
  const path = join(WORK, "capabilities-experimental.json");
  writeFileSync(path, JSON.stringify(caps));
  return path;
}
const EXPERIMENTAL = experimentalCapabilities();

/**
 * Builds and evaluates a batch: experimental-keyword cases apart (they need other capabilities),
 * each solo case alone and as written.
 */
async function runBatch(batch, name) {
  const ready = runnable(batch);
  const groups = [
    [ready.filter((c) => !isSolo(c) && !c.experimental_keywords), name, undefined],
    [ready.filter((c) => !isSolo(c) && c.experimental_keywords), `${name}x`, EXPERIMENTAL],
    ...ready
      .filter(isSolo)
      .map((c) => [[c], `${name}${c.id}`, c.experimental_keywords ? EXPERIMENTAL : undefined]),
  ];
  for (const [cases, dirName, capabilities] of groups) {
    if (cases.length === 0) continue;
    const { modules, compileErrors } = buildBatch(cases, OPA, join(WORK, dirName), capabilities);
    for (const c of cases) {
      if (compileErrors.has(c.id)) settle(c, { compileError: compileErrors.get(c.id) });
    }
    for (const module of modules) await evaluateModule(module);
  }
}

for (let i = 0; i < cases.length; i += BATCH) await runBatch(cases.slice(i, i + BATCH), `b${i}`);
pool.close();

const { report } = await import("./report.mjs");
const failed = report(cases, outcomes, exceptions, {
  verbose,
  seconds: (Date.now() - started) / 1000,
});
const notes = new Set(cases.map((c) => c.note));
const unknown = filter ? [] : Object.keys(exceptions).filter((note) => !notes.has(note));
for (const note of unknown)
  console.log(`FAIL exceptions.json names no case: ${JSON.stringify(note)}`);
process.exit(failed + unknown.length > 0 ? 1 : 0);

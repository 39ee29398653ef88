#!/usr/bin/env node
/**
 * Measures the prompt-injection guard on its labelled corpus (test/fixtures/prompt-guard/
 * corpus.jsonl) through the real thing: the shipped policies/ built as they ship
 * (scripts/build-policy: `opa build -t wasm`), loaded by the sidecar's own engine (dist/policy),
 * every line sent as a whole authz decision to the guarded route POST
 * /api/v1/tenants/acme/agents/a1/runs by a caller who holds its scope. A line is detected when
 * the policy denies it with a prompt_guard verdict. Each line rides in one of the carriers the
 * guard reads, in turn: a chat message, a content part, `prompt`, `input`, a JSON-RPC tools/call
 * argument in the body, and input.mcp as Envoy's MCP filter metadata gives it (no body).
 *
 * Prints precision, recall and false-positive rate per category and overall, on the whole corpus
 * and on its parts: `tuned` (the `dev` and `test` splits, which the patterns were tuned on),
 * `holdout` (written after them, measured held out, then tuned on too), `holdout-2` (written
 * before any tuning on it, tuned on after being measured at 70.0 % / 1.9 %), `holdout-3`
 * (written by someone who read neither the patterns nor the older lines; never tuned on, trained
 * on by the model after it was measured), `holdout-4` (written the same way after the model,
 * trained on after it was measured), `holdout-5` and `holdout-6` (written the same way, each
 * trained on after it was measured), `holdout-7` (written the same way, trained on after it was
 * measured), `holdout-8` (the same, trained on after it was measured) and `holdout-9` (written
 * the same way; never trained or tuned on: the honest figure); `--json` has `dev` and `test` apart too. And the mean evaluation
 * time of a line.
 * `--cross-check` also evaluates every other line (even ids: every split, ~3,000 lines) with
 * `opa eval` (OPA's Go evaluator, topdown, over policies/ itself), `--cross-check-all` every line
 * (~8 minutes of CPU), and lists the lines whose decision or categories differ from ours.
 * Usage: node scripts/prompt-guard-eval.mjs [--bundle BUNDLE] [--json] [--cross-check | --cross-check-all]
 * (needs `npm run build`; builds the bundle into a temporary directory unless --bundle is given)
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CORPUS = join(ROOT, "test/fixtures/prompt-guard/corpus.jsonl");
export const CATEGORIES = [
  "role_manipulation",
  "instruction_override",
  "system_prompt_extraction",
  "jailbreak",
  "data_exfiltration",
];
/** The parts of the corpus the table shows, after the whole of it. */
export const SPLITS = [
  "all",
  "tuned",
  "holdout",
  "holdout-2",
  "holdout-3",
  "holdout-4",
  "holdout-5",
  "holdout-6",
  "holdout-7",
  "holdout-8",
  "holdout-9",
];
const PATH = "/api/v1/tenants/acme/agents/a1/runs";

/** The JSON-RPC tools/call a line rides in as a tool argument. */
const toolCall = (text) => ({
  jsonrpc: "2.0",
  id: 7,
  method: "tools/call",
  params: { name: "search_docs", arguments: { query: text, limit: 5 } },
});

/** How a line reaches the policy: [name, input fields] by carrier. */
const CARRIERS = [
  (text) => ({
    parsed_body: {
      model: "gpt-4o",
      messages: [
        { role: "system", content: "You are a helpful assistant for Acme's support team." },
        { role: "user", content: text },
      ],
    },
  }),
  (text) => ({
    parsed_body: {
      model: "gpt-4o",
      messages: [{ role: "user", content: [{ type: "text", text }] }],
    },
  }),
  (text) => ({ parsed_body: { prompt: text, max_tokens: 256 } }),
  (text) => ({ parsed_body: { input: text, instructions: "Answer briefly." } }),
  (text) => ({ parsed_body: toolCall(text) }),
  (text) => {
    const { method, id, params } = toolCall(text);
    const request = {
      method,
      id,
      params,
      tool: { name: params.name, arguments: params.arguments },
    };
    return {
      mcp: { source: "envoy.filters.http.mcp", batch: false, requests: [request], ...request },
    };
  },
];

/** The input document of one corpus line, as the sidecar builds it. */
export function inputFor(line) {
  return {
    attributes: {
      request: {
        http: {
          method: "POST",
          path: PATH,
          headers: { "content-type": "application/json" },
        },
      },
    },
    parsed_path: PATH.slice(1).split("/"),
    parsed_query: {},
    truncated_body: false,
    identity: {
      authenticated: true,
      subject: "dev-1",
      methods: ["jwt"],
      jwt: { claims: { roles: ["developer"], tenant: "acme" } },
    },
    ...CARRIERS[line.id % CARRIERS.length](line.text),
  };
}

/**
 * Precision, recall and false-positive rate of `detected` (line → the categories the guard named,
 * or null when it let the line through), overall and per category. A category's recall counts
 * its injections that were blocked at all, `named` those blocked with that category among the
 * named ones; its precision and false positives count the lines blocked with it named.
 */
export function measure(lines, detected) {
  const benign = lines.filter((l) => l.label === "benign");
  const rates = (positives, flagged) => {
    const blocked = lines.filter(flagged);
    const falsePositives = benign.filter(flagged).length;
    return {
      positives: positives.length,
      detected: positives.filter((l) => detected.get(l) !== null).length,
      recall: ratio(positives.filter((l) => detected.get(l) !== null).length, positives.length),
      precision: ratio(blocked.length - falsePositives, blocked.length),
      falsePositives,
      fpr: ratio(falsePositives, benign.length),
    };
  };
  const injections = lines.filter((l) => l.label === "injection");
  const byCategory = Object.fromEntries(
    CATEGORIES.map((c) => {
      const positives = injections.filter((l) => l.category === c);
      const named = positives.filter((l) => detected.get(l)?.includes(c)).length;
      const flagged = (l) => detected.get(l)?.includes(c) ?? false;
      return [c, { ...rates(positives, flagged), named: ratio(named, positives.length) }];
    }),
  );
  return {
    injections: injections.length,
    benign: benign.length,
    overall: rates(injections, (l) => detected.get(l) !== null),
    byCategory,
  };
}

/** a / b, and 0 for 0 / 0. */
const ratio = (a, b) => (b === 0 ? 0 : a / b);

/**
 * Each line's [allowed, categories] by `opa eval` of policies/ (topdown): the inputs are data,
 * and one query evaluates the decision with each as the input. The lines are split between one
 * `opa eval` per core, run at once (topdown takes ~75 ms a line, most of it compiling regexes
 * again: its cache keeps 100, the guard has 140).
 */
async function topdownDecisions(lines, scratch) {
  const chunks = Math.max(1, Math.min(4, availableParallelism()));
  const size = Math.ceil(lines.length / chunks);
  const query = join(scratch, "query.rego");
  writeFileSync(
    query,
    `package corpus_query

import rego.v1

decisions := [[d.allowed, object.get(d, ["prompt_guard", "categories"], null)] |
	some x in data.corpus.inputs
	d := data.envoy.authz.allow with input as x
]
`,
  );
  const opa = join(ROOT, ".tools/bin/opa");
  const decided = await Promise.all(
    Array.from({ length: chunks }, async (_, chunk) => {
      const dir = join(scratch, `cross-check-${chunk}`);
      mkdirSync(join(dir, "corpus"), { recursive: true });
      const inputs = lines.slice(chunk * size, (chunk + 1) * size).map(inputFor);
      writeFileSync(join(dir, "corpus/data.json"), JSON.stringify({ inputs }));
      const args = ["eval", "-f", "raw", "--ignore", "*_test.rego", "-d", join(ROOT, "policies")];
      const { stdout } = await execFileAsync(
        opa,
        [...args, "-d", dir, "-d", query, "data.corpus_query.decisions"],
        { maxBuffer: 1 << 28 },
      );
      return JSON.parse(stdout);
    }),
  );
  return decided.flat();
}

async function main() {
  const json = process.argv.includes("--json");
  const all = process.argv.includes("--cross-check-all");
  const at = process.argv.indexOf("--bundle");
  let bundlePath = at > 0 ? process.argv[at + 1] : undefined;
  const scratch = mkdtempSync(join(tmpdir(), "oc-guard-"));
  if (!bundlePath) {
    bundlePath = join(scratch, "bundle.tar.gz");
    execFileSync("bash", [join(ROOT, "scripts/build-policy"), join(ROOT, "policies"), bundlePath], {
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  const { createEvaluationPool, loadWasmPolicy, readBundle } = await import(
    join(ROOT, "dist/policy/index.js")
  );
  const pool = createEvaluationPool(
    { threads: 1, timeoutMs: 10_000, maxMemoryPages: 512 },
    { onError: () => {}, onPrint: () => {} },
  );
  try {
    const engine = await loadWasmPolicy(
      await readBundle(bundlePath),
      { decision: "envoy/authz/allow" },
      pool,
    );
    const lines = readFileSync(CORPUS, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    // Every other line for topdown (~75 ms a line), or all of them.
    const crossChecked =
      all || process.argv.includes("--cross-check")
        ? lines.filter((line) => all || line.id % 2 === 0)
        : undefined;
    const detected = new Map();
    const started = process.hrtime.bigint();
    for (const line of lines) {
      const evaluation = await engine.evaluate(JSON.stringify(inputFor(line)));
      if (!evaluation.defined) throw new Error(`line ${line.id}: the decision is undefined`);
      const { allowed, prompt_guard: verdict } = evaluation.value;
      if (!allowed && !verdict) throw new Error(`line ${line.id}: denied for another reason`);
      detected.set(line, allowed ? null : verdict.categories);
    }
    const meanMicros = Number(process.hrtime.bigint() - started) / 1000 / lines.length;
    const where = (keep) => measure(lines.filter(keep), detected);
    const report = {
      all: measure(lines, detected),
      tuned: where((l) => l.split === "dev" || l.split === "test"),
      dev: where((l) => l.split === "dev"),
      test: where((l) => l.split === "test"),
      holdout: where((l) => l.split === "holdout"),
      "holdout-2": where((l) => l.split === "holdout-2"),
      "holdout-3": where((l) => l.split === "holdout-3"),
      "holdout-4": where((l) => l.split === "holdout-4"),
      "holdout-5": where((l) => l.split === "holdout-5"),
      "holdout-6": where((l) => l.split === "holdout-6"),
      "holdout-7": where((l) => l.split === "holdout-7"),
      "holdout-8": where((l) => l.split === "holdout-8"),
      "holdout-9": where((l) => l.split === "holdout-9"),
      meanEvaluationMicros: Math.round(meanMicros),
      missed: lines
        .filter((l) => l.label === "injection" && detected.get(l) === null)
        .map((l) => l.id),
      falsePositives: lines
        .filter((l) => l.label === "benign" && detected.get(l) !== null)
        .map((l) => l.id),
      ...(crossChecked
        ? {
            disagreements: disagreements(
              crossChecked,
              detected,
              await topdownDecisions(crossChecked, scratch),
            ),
          }
        : {}),
    };
    console.log(json ? JSON.stringify(report) : table(report));
    engine.close();
  } finally {
    pool.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The lines whose decision by topdown (`[allowed, categories]` each) is not ours. */
function disagreements(lines, detected, topdown) {
  return lines
    .filter((line, i) => {
      const [allowed, categories] = topdown[i];
      const ours = detected.get(line);
      return allowed !== (ours === null) || JSON.stringify(categories) !== JSON.stringify(ours);
    })
    .map((line) => line.id);
}

const pct = (x) => `${(100 * x).toFixed(1)} %`;

/** The report as the Markdown table README quotes. */
function table(report) {
  const rows = [
    "| split | category | injections | recall | named | precision | false positives | FPR |",
  ];
  rows.push("|---|---|---:|---:|---:|---:|---:|---:|");
  for (const split of SPLITS) {
    const m = report[split];
    const row = (name, r) =>
      `| ${split} | ${name} | ${r.positives} | ${pct(r.recall)} | ${r.named === undefined ? "" : pct(r.named)} | ${pct(r.precision)} | ${r.falsePositives} of ${m.benign} | ${pct(r.fpr)} |`;
    for (const c of CATEGORIES) rows.push(row(c, m.byCategory[c]));
    rows.push(row("**overall**", m.overall));
  }
  rows.push(
    "",
    `mean evaluation: ${report.meanEvaluationMicros} µs per line (the whole decision, one thread)`,
  );
  rows.push(`missed: ${report.missed.join(", ") || "none"}`);
  rows.push(`false positives: ${report.falsePositives.join(", ") || "none"}`);
  if (report.disagreements) {
    rows.push(`decided otherwise by opa eval: ${report.disagreements.join(", ") || "none"}`);
  }
  return rows.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();

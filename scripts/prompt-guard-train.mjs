#!/usr/bin/env node
/**
 * Trains the prompt-injection guard's model (policies/prompt_guard.rego, "the model") on its
 * labelled corpus and writes it to policies/prompt_guard_model/data.json, which the
 * bundle serves as data.prompt_guard_model. One logistic regression per category, its
 * injections against the benign lines, over binary features: the words of a line's views and
 * the patterns matching them (`pattern:<id>`), computed by the policy's own `text_features` on
 * the compiled policy (featuresOf), so training sees exactly what the sidecar scores. The model
 * lists the patterns it kept a weight for (the policy weighs those by the model, the others by
 * their own weight) and caps what negative weights take off a logit (MAX_NEGATIVE).
 *
 * Trained on every split but the held-out ones (HELD_OUT: never trained or tuned on). The bias
 * shift that sets the operating point is chosen by 5-fold cross-validation on the training lines
 * alone: the largest recall whose false-positive rate there stays within TARGET_FPR. Deterministic:
 * the same corpus and policy write the same file.
 * Usage: node scripts/prompt-guard-train.mjs [--check] (`--check`: fail if the file would change)
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CORPUS = join(ROOT, "test/fixtures/prompt-guard/corpus.jsonl");
const MODEL = join(ROOT, "policies/prompt_guard_model/data.json");
const PATTERNS = join(ROOT, "policies/data.json");
export const HELD_OUT = ["holdout-9"];
const CATEGORIES = [
  "role_manipulation",
  "instruction_override",
  "system_prompt_extraction",
  "jailbreak",
  "data_exfiltration",
];
/** L2 penalty, passes over the data, and the least number of lines a feature must occur in. */
const L2 = 0.1;
const EPOCHS = 30;
const MIN_LINES = 1;
/** Cross-validated false-positive rate the operating point may reach. */
const TARGET_FPR = 0.02;
/**
 * The most a text's negative weights may take off its logit: words that mark a report quoting an
 * attack can outweigh a weak pattern match, benign padding cannot outweigh a strong one.
 */
const MAX_NEGATIVE = 4;
/** Weights below this are dropped (in cross-validation too), the rest rounded to 3 decimals. */
const KEEP = 0.1;

/**
 * Every line's features: the policy's data.prompt_guard.text_features, evaluated by the sidecar's
 * own engine (dist/, so `npm run build` first) on a wasm build of policies/ with that one
 * entrypoint. OPA's topdown computes the same (the eval's cross-check compares every decision)
 * at ~75 ms a line, against ~3 here.
 */
export async function featuresOf(texts) {
  const dir = mkdtempSync(join(tmpdir(), "oc-guard-train-"));
  const { createEvaluationPool, loadWasmPolicy, readBundle } = await import(
    join(ROOT, "dist/policy/index.js")
  );
  const pool = createEvaluationPool(
    { threads: 1, timeoutMs: 10_000, maxMemoryPages: 512 },
    { onError: () => {}, onPrint: () => {} },
  );
  try {
    writeFileSync(
      join(dir, "features.rego"),
      "package prompt_guard_training\n\nimport rego.v1\n\nfeatures := data.prompt_guard.text_features(input.text)\n",
    );
    const bundle = join(dir, "bundle.tar.gz");
    execFileSync(join(ROOT, ".tools/bin/opa"), [
      ...["build", "-t", "wasm", "-e", "prompt_guard_training/features", "-o", bundle],
      ...["--ignore", "*_test.rego", "--ignore", "prompt_guard_model"],
      join(ROOT, "policies"),
      join(dir, "features.rego"),
    ]);
    const engine = await loadWasmPolicy(
      await readBundle(bundle),
      { decision: "prompt_guard_training/features" },
      pool,
    );
    const features = [];
    for (const text of texts) {
      const evaluation = await engine.evaluate(JSON.stringify({ text }));
      if (!evaluation.defined) throw new Error(`no features for: ${text.slice(0, 60)}`);
      features.push([...evaluation.value].sort());
    }
    engine.close();
    return features;
  } finally {
    pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A seeded generator (mulberry32): the same shuffles every run. */
function random(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One category's logistic regression: `examples` are [features, 0 | 1]; positives weighted so the
 * two classes count alike. Returns { bias, weights: Map }.
 */
function logisticRegression(examples, seed) {
  const weights = new Map();
  let bias = 0;
  const positives = examples.filter(([, y]) => y === 1).length;
  const weightOf = (y) => (y === 1 ? (examples.length - positives) / positives : 1);
  const next = random(seed);
  const order = examples.map((_, i) => i);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const rate = 0.2 / (1 + epoch / 5);
    for (const index of order) {
      const [features, y] = examples[index];
      const z = logit(bias, weights, features);
      const gradient = (1 / (1 + Math.exp(-z)) - y) * weightOf(y);
      bias -= rate * gradient;
      for (const feature of features) {
        const w = weights.get(feature) ?? 0;
        weights.set(feature, w - rate * (gradient + L2 * w));
      }
    }
  }
  return { bias, weights };
}

const logit = (bias, weights, features) => {
  let z = bias;
  for (const feature of features) z += weights.get(feature) ?? 0;
  return z;
};

/** A trained model's logit, as the policy computes it: negative weights capped at MAX_NEGATIVE. */
const cappedLogit = (bias, weights, features) => {
  let positive = bias;
  let negative = 0;
  for (const feature of features) {
    const w = weights.get(feature) ?? 0;
    if (w > 0) positive += w;
    else negative += w;
  }
  return positive + Math.max(negative, -MAX_NEGATIVE);
};

/** A model per category over `lines` ({features, label, category}), features limited to `vocabulary`. */
function train(lines, vocabulary) {
  const models = {};
  CATEGORIES.forEach((category, i) => {
    const examples = lines
      .filter((l) => l.label === "benign" || l.category === category)
      .map((l) => [l.features.filter((f) => vocabulary.has(f)), l.label === "benign" ? 0 : 1]);
    const model = logisticRegression(examples, 17 + i);
    for (const [feature, w] of model.weights) if (Math.abs(w) < KEEP) model.weights.delete(feature);
    models[category] = model;
  });
  return models;
}

/** The highest logit of a line over the categories. */
const topLogit = (models, features) =>
  Math.max(...CATEGORIES.map((c) => cappedLogit(models[c].bias, models[c].weights, features)));

/** Lines a feature occurs in at least MIN_LINES of. */
function vocabularyOf(lines) {
  const counts = new Map();
  for (const line of lines) for (const f of line.features) counts.set(f, (counts.get(f) ?? 0) + 1);
  return new Set([...counts].filter(([, n]) => n >= MIN_LINES).map(([f]) => f));
}

/**
 * 5-fold cross-validation on the training lines: every line's top logit from a model that did not
 * see it, then the shift of every bias that keeps the false-positive rate within TARGET_FPR.
 */
function crossValidate(lines) {
  const scored = [];
  for (let fold = 0; fold < 5; fold++) {
    const held = lines.filter((l) => l.id % 5 === fold);
    const kept = lines.filter((l) => l.id % 5 !== fold);
    const models = train(kept, vocabularyOf(kept));
    for (const line of held) scored.push([topLogit(models, line.features), line.label]);
  }
  const benign = scored.filter(([, label]) => label === "benign").map(([z]) => z);
  benign.sort((a, b) => b - a);
  const allowed = Math.floor(TARGET_FPR * benign.length);
  // Flagged when the shifted logit is > 0: shift so that at most `allowed` benign lines are.
  const shift = -(benign[allowed] ?? 0) - 1e-6;
  const injections = scored.filter(([, label]) => label === "injection");
  const recall = injections.filter(([z]) => z + shift > 0).length / injections.length;
  const fpr = benign.filter((z) => z + shift > 0).length / benign.length;
  return { shift, recall, fpr };
}

async function main() {
  const lines = readFileSync(CORPUS, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .filter((l) => !HELD_OUT.includes(l.split));
  const features = await featuresOf(lines.map((l) => l.text));
  lines.forEach((line, i) => {
    line.features = features[i];
  });
  const cv = crossValidate(lines);
  const models = train(lines, vocabularyOf(lines));
  // By feature, a weight for each category in CATEGORIES' order (0 where it was dropped).
  const weights = {};
  CATEGORIES.forEach((category, i) => {
    for (const [feature, w] of models[category].weights) {
      weights[feature] ??= CATEGORIES.map(() => 0);
      weights[feature][i] = Math.round(w * 1000) / 1000;
    }
  });
  const sorted = Object.fromEntries(Object.entries(weights).sort(([a], [b]) => (a < b ? -1 : 1)));
  const model = {
    about: [
      "Written by scripts/prompt-guard-train.mjs; do not edit by hand.",
      `Trained on ${lines.length} lines of test/fixtures/prompt-guard/corpus.jsonl, every split but ${HELD_OUT.join(" and ")}.`,
      `Cross-validated (5 folds, training lines only): recall ${(100 * cv.recall).toFixed(1)} % at ${(100 * cv.fpr).toFixed(1)} % false positives.`,
    ],
    categories: CATEGORIES,
    bias: CATEGORIES.map((c) => Math.round((models[c].bias + cv.shift) * 1000) / 1000),
    max_negative: MAX_NEGATIVE,
    // Only the patterns it kept a weight for: one it never saw match, or whose weights all fell
    // under KEEP, would otherwise count for nothing; unlisted, it counts by its own weight.
    patterns: JSON.parse(readFileSync(PATTERNS, "utf8"))
      .openclaw.prompt_guard.patterns.map((p) => p.id)
      .filter((id) => Object.hasOwn(sorted, `pattern:${id}`)),
    weights: sorted,
  };
  // One feature a line: a diff of two trainings reads as the features that changed.
  const text = `{\n${Object.entries(model)
    .map(([key, value]) =>
      key === "weights"
        ? ` "weights": {\n${Object.entries(value)
            .map(([feature, w]) => `  ${JSON.stringify(feature)}: ${JSON.stringify(w)}`)
            .join(",\n")}\n }`
        : ` ${JSON.stringify(key)}: ${JSON.stringify(value)}`,
    )
    .join(",\n")}\n}\n`;
  if (process.argv.includes("--check")) {
    if (readFileSync(MODEL, "utf8") !== text) {
      console.error(`${MODEL} is not what the corpus trains: run scripts/prompt-guard-train.mjs`);
      process.exit(1);
    }
    return;
  }
  mkdirSync(dirname(MODEL), { recursive: true });
  writeFileSync(MODEL, text);
  console.log(
    `${MODEL}: ${Object.keys(sorted).length} features; cross-validated recall ${(100 * cv.recall).toFixed(1)} % at ${(100 * cv.fpr).toFixed(1)} % false positives`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();

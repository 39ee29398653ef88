/**
 * The prompt-injection guard's accuracy on its labelled corpus, measured through the shipped
 * policies compiled by the real `opa build -t wasm` and evaluated by our engine
 * (scripts/prompt-guard-eval.mjs), every other decision (even ids) also compared with `opa
 * eval`'s (OPA's Go evaluator: its RE2 against our regexes in V8, its walk and string builtins
 * against wasm's).
 * The targets are issue 19's: recall ≥ 0.9 at a false-positive rate ≤ 0.02 over the whole corpus.
 * holdout-2 (written before any tuning on it, measured held out at 70.0 % / 1.9 %, tuned on since)
 * must not fall under a floor a little below what it measures now (HOLDOUT_2_FLOOR): a regression
 * guard, not a claim — a change to the patterns that loses detections there or adds false
 * positives fails here. holdout-3 to holdout-8 (each written by someone who read neither the
 * patterns, the model nor the older lines, and trained on by the model after it was measured) and
 * holdout-9 (written the same way, never trained or tuned on) are measured and printed, not held
 * to a floor: holdout-9 is the estimate. And the committed model is the one the corpus trains.
 */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { ROOT } from "./support/paths.js";
import { runToEnd } from "./support/processes.js";

// @ts-expect-error: a script without types; SPLITS are the parts of the corpus its table shows.
const { SPLITS } = (await import("../scripts/prompt-guard-eval.mjs")) as { SPLITS: string[] };

/** holdout-2 as measured after it was tuned on (100 %, 0.6 %), less a few lines. */
const HOLDOUT_2_FLOOR = { recall: 0.95, fpr: 0.02 };

interface Rates {
  positives: number;
  recall: number;
  precision: number;
  falsePositives: number;
  fpr: number;
}
interface Measured {
  injections: number;
  benign: number;
  overall: Rates;
  byCategory: Record<string, Rates & { named: number }>;
}

/** What scripts/prompt-guard-eval.mjs prints with `args`. */
async function evaluateCorpus(...args: string[]): Promise<string> {
  const { code, stdout, stderr } = await runToEnd(
    "node",
    [`${ROOT}/scripts/prompt-guard-eval.mjs`, ...args],
    undefined,
    // OPA's evaluator keeps at most 100 compiled regexes (topdown/regex.go) and the guard uses
    // over 140: under --cross-check it compiles them again and again, ~75 ms a line.
    { timeoutMs: 420_000 },
  );
  if (code !== 0) throw new Error(`prompt-guard-eval exited with ${code}:\n${stderr}`);
  return stdout;
}

describe("the prompt-injection guard on its corpus", () => {
  it("meets recall ≥ 0.9 at FPR ≤ 0.02 overall, holds its holdout-2 floor, decides as topdown", async () => {
    const report: Record<
      | "all"
      | "tuned"
      | "holdout"
      | "holdout-2"
      | "holdout-3"
      | "holdout-4"
      | "holdout-5"
      | "holdout-6"
      | "holdout-7"
      | "holdout-8"
      | "holdout-9",
      Measured
    > & {
      disagreements: number[];
    } = JSON.parse(await evaluateCorpus("--json", "--cross-check"));
    expect(report.disagreements).toEqual([]);
    expect(report.all.injections).toBeGreaterThanOrEqual(300);
    expect(report.all.benign).toBeGreaterThanOrEqual(300);
    expect(report.all.overall.recall).toBeGreaterThanOrEqual(0.9);
    expect(report.all.overall.fpr).toBeLessThanOrEqual(0.02);
    expect(report["holdout-2"].injections).toBeGreaterThanOrEqual(150);
    expect(report["holdout-2"].benign).toBeGreaterThanOrEqual(150);
    expect(report["holdout-2"].overall.recall).toBeGreaterThanOrEqual(HOLDOUT_2_FLOOR.recall);
    expect(report["holdout-2"].overall.fpr).toBeLessThanOrEqual(HOLDOUT_2_FLOOR.fpr);
    expect(report["holdout-3"].injections).toBeGreaterThanOrEqual(150);
    expect(report["holdout-3"].benign).toBeGreaterThanOrEqual(200);
    expect(report["holdout-4"].injections).toBeGreaterThanOrEqual(200);
    expect(report["holdout-4"].benign).toBeGreaterThanOrEqual(250);
    for (const split of [
      "holdout-5",
      "holdout-6",
      "holdout-7",
      "holdout-8",
      "holdout-9",
    ] as const) {
      // 200 injections and 260 benign lines each, less the few equal to older lines.
      expect(report[split].injections, split).toBeGreaterThanOrEqual(195);
      expect(report[split].benign, split).toBeGreaterThanOrEqual(250);
    }
    for (const [category, rates] of Object.entries(report.all.byCategory)) {
      expect(rates.positives, category).toBeGreaterThanOrEqual(60);
      expect(rates.named, category).toBeGreaterThan(0.5);
    }
  }, 480_000);

  it("prints the table README quotes: each category and overall, for all, tuned and each holdout", async () => {
    const rows = (await evaluateCorpus()).split("\n").filter((row) => row.startsWith("| "));
    for (const split of SPLITS) {
      const mine = rows.filter((row) => row.startsWith(`| ${split} |`));
      expect(mine.map((row) => row.split(" | ")[1])).toEqual([
        "role_manipulation",
        "instruction_override",
        "system_prompt_extraction",
        "jailbreak",
        "data_exfiltration",
        "**overall**",
      ]);
    }
  }, 300_000);

  it("ships the model the corpus trains, holdout-9 left out of it", async () => {
    const { code, stderr } = await runToEnd(
      "node",
      [`${ROOT}/scripts/prompt-guard-train.mjs`, "--check"],
      undefined,
      { timeoutMs: 120_000 },
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const model = JSON.parse(
      await readFile(`${ROOT}/policies/prompt_guard_model/data.json`, "utf8"),
    ) as { about: string[] };
    expect(model.about.join(" ")).toContain("every split but holdout-9");
  }, 150_000);
});

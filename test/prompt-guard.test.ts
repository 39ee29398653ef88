/**
 * The prompt-injection guard's accuracy on its labelled corpus, measured through the shipped
 * policies compiled by the real `opa build -t wasm` and evaluated by our engine
 * (scripts/prompt-guard-eval.mjs), every decision also compared with `opa eval`'s (OPA's Go
 * evaluator: its RE2 against our regexes in V8, its walk and string builtins against wasm's). The targets are issue 19's: recall ≥ 0.9 at a false-positive
 * rate ≤ 0.02 over the whole corpus; the held-out split must not fall under what it measured when
 * it was written (61 % recall, 1 % false positives), so a change to the patterns that loses
 * detections or adds false positives fails here.
 */
import { describe, expect, it } from "vitest";
import { ROOT } from "./support/paths.js";
import { runToEnd } from "./support/processes.js";

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
    { timeoutMs: 240_000 },
  );
  if (code !== 0) throw new Error(`prompt-guard-eval exited with ${code}:\n${stderr}`);
  return stdout;
}

describe("the prompt-injection guard on its corpus", () => {
  it("meets recall ≥ 0.9 at FPR ≤ 0.02 overall, holds its held-out figures, decides as topdown", async () => {
    const report: Record<"all" | "tuned" | "holdout", Measured> & { disagreements: number[] } =
      JSON.parse(await evaluateCorpus("--json", "--cross-check"));
    expect(report.disagreements).toEqual([]);
    expect(report.all.injections).toBeGreaterThanOrEqual(300);
    expect(report.all.benign).toBeGreaterThanOrEqual(300);
    expect(report.all.overall.recall).toBeGreaterThanOrEqual(0.9);
    expect(report.all.overall.fpr).toBeLessThanOrEqual(0.02);
    expect(report.holdout.overall.recall).toBeGreaterThanOrEqual(0.6);
    expect(report.holdout.overall.fpr).toBeLessThanOrEqual(0.02);
    for (const [category, rates] of Object.entries(report.all.byCategory)) {
      expect(rates.positives, category).toBeGreaterThanOrEqual(60);
      expect(rates.named, category).toBeGreaterThan(0.5);
    }
  }, 300_000);

  it("prints the table README quotes: each category and overall, for all, tuned and holdout", async () => {
    const rows = (await evaluateCorpus()).split("\n").filter((row) => row.startsWith("| "));
    for (const split of ["all", "tuned", "holdout"]) {
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
});

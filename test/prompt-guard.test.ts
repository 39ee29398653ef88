/**
 * The prompt-injection guard's accuracy on its labelled corpus, measured through the shipped
 * policies compiled by the real `opa build -t wasm` and evaluated by our engine
 * (scripts/prompt-guard-eval.mjs). The targets are issue 19's: recall ≥ 0.9 at a false-positive
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

async function evaluateCorpus(): Promise<Record<"all" | "tuned" | "holdout", Measured>> {
  const { code, stdout, stderr } = await runToEnd(
    "node",
    [`${ROOT}/scripts/prompt-guard-eval.mjs`, "--json"],
    undefined,
    { timeoutMs: 240_000 },
  );
  if (code !== 0) throw new Error(`prompt-guard-eval exited with ${code}:\n${stderr}`);
  return JSON.parse(stdout);
}

describe("the prompt-injection guard on its corpus", () => {
  it("meets recall ≥ 0.9 at FPR ≤ 0.02 overall, and holds its held-out figures", async () => {
    const report = await evaluateCorpus();
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
});

import type { Config } from "../config/index.js";
import { parseJson, stringifyJson } from "../input/index.js";
import { createEvaluationPool, loadWasmPolicy, readBundle } from "../policy/index.js";
import { type ReplayReport, replay } from "../replay/index.js";
import { poolOptions } from "../sidecar/index.js";
import { readLog } from "./log-source.js";

/** Options of `openclaw-authz replay`. */
export interface ReplayOptions {
  bundle: string;
  /** Where the log is (readLog, at most one of them): stdin when none is set. */
  log?: string;
  dir?: string;
  redisStream: boolean;
  /** Exit 1 when allow↔deny flips exceed this. Default 0. */
  maxFlips: number;
  examples: number;
  json: boolean;
}

/**
 * `openclaw-authz replay --bundle CANDIDATE [--log FILE|- | --dir DIR | --redis-stream] [--max-flips N]`:
 * re-evaluates logged decisions with a candidate bundle and reports what would change.
 * Returns 0 when the flips are within `--max-flips`, 1 otherwise.
 */
export async function replayCommand(
  config: Config,
  options: ReplayOptions,
  write: (text: string) => void,
): Promise<number> {
  const bundle = await readBundle(options.bundle);
  // One evaluation at a time, so one thread.
  const pool = createEvaluationPool(
    { ...poolOptions(config), threads: 1 },
    { onError: () => {}, onPrint: () => {} },
  );
  const engine = await loadWasmPolicy(bundle, { decision: config.policy.decision }, pool);
  const report = await replay(
    parsed(config, options),
    (input) => engine.evaluate(stringifyJson(input)),
    {
      examples: options.examples,
    },
  );
  write(
    options.json
      ? `${JSON.stringify(report, null, 2)}\n`
      : summary(report, options.bundle, bundle.revision),
  );
  pool.close();
  return report.flips.allowToDeny + report.flips.denyToAllow > options.maxFlips ? 1 : 0;
}

/** The log's lines parsed with exact numbers (undefined for one that is not JSON). */
async function* parsed(config: Config, options: ReplayOptions): AsyncIterable<unknown> {
  const source = {
    ...(options.log ? { log: options.log } : {}),
    ...(options.dir ? { dir: options.dir } : {}),
    redisStream: options.redisStream,
  };
  const named = source.log !== undefined || source.dir !== undefined || source.redisStream;
  for await (const { text } of readLog(config, named ? source : { ...source, log: "-" })) {
    try {
      yield parseJson(text);
    } catch {
      yield undefined;
    }
  }
}

/** What each reason for not replaying an event means, for the summary. */
const SKIPPED: Record<string, string> = {
  identity_invalid: "a credential failed verification or was revoked: 401 before the policy",
  identity_unavailable: "a credential's keys were unavailable: 403 before the policy",
  request_parse_error: "the request could not be parsed: 400 before the policy",
  policy_not_loaded: "no policy was loaded",
  policy_eval_timeout: "the evaluation deadline passed before the policy answered",
  internal: "an internal fault",
  rate_limited: "the client address was over its rate limit: 429 before the policy",
  address_blocked: "the client address was blocked: 429 before the policy",
  rate_limit_unavailable: "the rate limit could not be counted: refused before the policy",
  "no input": "the event has no input (erased from the log)",
};

function summary(report: ReplayReport, bundle: string, revision: string): string {
  const flips = report.flips.allowToDeny + report.flips.denyToAllow;
  const top = (counts: Record<string, number>) =>
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([key, count]) => `    ${String(count).padStart(6)}  ${key}`);
  const lines = [
    `replayed ${report.replayed} of ${report.events} logged decisions against ${bundle}${revision ? ` (revision ${revision})` : ""}`,
    ...(report.others > 0
      ? [
          `  ${report.others} other lines (the hash chain's control events, lines not JSON) read past`,
        ]
      : []),
    ...(report.skipped > 0
      ? [
          `  ${report.skipped} not replayed, decided without the policy's answer (no candidate changes them; never flips):`,
          ...Object.entries(report.skippedBy)
            .sort((a, b) => b[1] - a[1])
            .map(
              ([reason, count]) =>
                `    ${String(count).padStart(6)}  ${reason}${SKIPPED[reason] ? `  (${SKIPPED[reason]})` : ""}`,
            ),
        ]
      : []),
    ...(report.masked > 0
      ? [
          `  ${report.masked} were replayed with fields the decision log had erased or masked (as logged: a policy reading them may decide differently in production)`,
        ]
      : []),
    `flips: ${flips} (${report.flips.allowToDeny} allow → deny, ${report.flips.denyToAllow} deny → allow); ${report.otherChanges} other changes; ${report.candidateErrors} candidate errors`,
    ...(flips > 0
      ? [
          "  by route:",
          ...top(report.byRoute),
          "  by subject:",
          ...top(report.bySubject),
          "  examples:",
        ]
      : []),
    ...report.examples.map(
      (c) =>
        `    ${c.decision_id ?? "-"}  ${c.route}  ${c.subject}  ${c.before} → ${c.after}  (${c.beforeReason ?? "-"} → ${c.afterReason ?? "-"})`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

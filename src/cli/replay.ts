import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Config } from "../config/index.js";
import { AuthzError } from "../errors.js";
import { parseJson, stringifyJson } from "../input/index.js";
import { createEvaluationPool, loadWasmPolicy, readBundle } from "../policy/index.js";
import { type LoggedDecision, type ReplayReport, replay } from "../replay/index.js";
import { connectRedisOnce, poolOptions } from "../sidecar/index.js";

/** Options of `openclaw-authz replay`. */
export interface ReplayOptions {
  bundle: string;
  /** NDJSON decision log file, `-` for stdin; unset with `redisStream` reads the stream. */
  log?: string;
  redisStream: boolean;
  /** Exit 1 when allow↔deny flips exceed this. Default 0. */
  maxFlips: number;
  examples: number;
  json: boolean;
}

/**
 * `openclaw-authz replay --bundle CANDIDATE [--log FILE|-] [--redis-stream] [--max-flips N]`:
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
  const source = options.redisStream ? fromStream(config) : fromLines(options.log ?? "-");
  const report = await replay(source, (input) => engine.evaluate(stringifyJson(input)), {
    examples: options.examples,
  });
  write(
    options.json
      ? `${JSON.stringify(report, null, 2)}\n`
      : summary(report, options.bundle, bundle.revision),
  );
  pool.close();
  return report.flips.allowToDeny + report.flips.denyToAllow > options.maxFlips ? 1 : 0;
}

async function* fromLines(path: string): AsyncIterable<LoggedDecision> {
  const stream = path === "-" ? process.stdin : createReadStream(path);
  stream.on("error", () => {});
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of lines) {
      if (line.trim() === "") continue;
      const event = parseJson(line) as LoggedDecision | null;
      if (event && typeof event === "object" && "decision_id" in event) yield event;
    }
  } catch (error) {
    throw new AuthzError(
      "input_unreadable",
      `cannot read the decision log ${path}: ${(error as Error).message}`,
    );
  }
}

async function* fromStream(config: Config): AsyncIterable<LoggedDecision> {
  const settings = config.decisionLog.redisStream;
  if (!settings)
    throw new AuthzError(
      "config_invalid",
      "--redis-stream needs decisionLog.redisStream in the config",
    );
  const connection = await connectRedisOnce(settings.url, { key: "decisionLog.redisStream.url" });
  try {
    let start = "-";
    for (;;) {
      const page = (await connection.client
        .xrange(settings.stream, start, "+", "COUNT", 1000)
        .catch((error: unknown) => {
          throw connection.failed(error);
        })) as Array<[string, string[]]>;
      for (const [, fields] of page) {
        const text = fields[fields.indexOf("event") + 1];
        if (text !== undefined) yield parseJson(text) as LoggedDecision;
      }
      if (page.length < 1000) return;
      start = `(${page[page.length - 1]?.[0]}`;
    }
  } finally {
    connection.close();
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

import { readFile } from "node:fs/promises";
import type { Config } from "../config/index.js";
import {
  type LoggedEvent,
  parseVerificationKeys,
  type VerificationKeys,
  type VerifyReport,
  verifyLog,
} from "../decision-log/index.js";
import { AuthzError } from "../errors.js";
import { type LogSourceOptions, readLog } from "./log-source.js";

/** Options of `openclaw-authz logs verify`. */
export interface VerifyOptions extends LogSourceOptions {
  /** Verification keys: a JWK Set or PEM SPKI public keys. None: signatures are not checked. */
  keys?: string;
  json: boolean;
}

/**
 * `openclaw-authz logs verify (--log FILE|- | --dir DIR | --redis-stream) [--keys FILE] [--json]`:
 * checks the decision log's hash chain and signed checkpoints (docs/decision-log-chain.md) and
 * prints the verified ranges and every problem. Exit 0 intact, 1 any problem; throws AuthzError
 * on a usage or read error (README "Command line" has the exit status of each).
 */
export async function verifyCommand(
  config: Config,
  options: VerifyOptions,
  write: (text: string) => void,
): Promise<number> {
  const keys = options.keys === undefined ? undefined : await readKeys(options.keys);
  const events: LoggedEvent[] = [];
  for await (const { at, event } of readLog(config, options)) events.push({ at, event });
  const report = verifyLog(events, keys);
  write(options.json ? `${JSON.stringify(report, null, 2)}\n` : summary(report));
  return report.problems.length === 0 ? 0 : 1;
}

async function readKeys(path: string): Promise<VerificationKeys> {
  try {
    return parseVerificationKeys(await readFile(path, "utf8"));
  } catch (error) {
    throw new AuthzError("input_unreadable", `--keys ${path}: ${(error as Error).message}`);
  }
}

function summary(report: VerifyReport): string {
  const range = ([a, b]: [number, number]) => (a === b ? `${a}` : `${a}-${b}`);
  const lines = report.chains.map(
    (c) =>
      `chain ${c.chain_id}: ${c.events} events, seq ${c.first_seq}-${c.last_seq}, ` +
      `${c.checkpoints} checkpoints, verified ${c.verified.map(range).join(", ") || "none"}`,
  );
  for (const p of report.problems) {
    const seqs = p.seq === undefined ? "" : ` seq ${range([p.seq, p.last_seq ?? p.seq])}`;
    lines.push(`${p.kind}${seqs} at ${p.at}: ${p.detail}`);
  }
  if (report.unchained > 0) lines.push(`${report.unchained} events carry no chain`);
  if (report.signatures === "unchecked") lines.push("signatures not checked (no --keys)");
  lines.push(report.problems.length === 0 ? "intact" : `${report.problems.length} problems`);
  return `${lines.join("\n")}\n`;
}

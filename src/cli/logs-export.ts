import type { Config } from "../config/index.js";
import { AuthzError } from "../errors.js";
import { type LogSourceOptions, readLog } from "./log-source.js";

/** Options of `openclaw-authz logs export`. */
export interface ExportOptions extends LogSourceOptions {
  format: "csv" | "ndjson";
  /** Decisions at or after this time (ms since epoch). */
  sinceMs?: number;
  /** Decisions before this time (ms since epoch). */
  untilMs?: number;
  denyOnly: boolean;
}

type Event = Record<string, unknown> & {
  decision_id?: unknown;
  timestamp?: unknown;
  allowed?: unknown;
};

/** The CSV columns, in order, and how each is read from an event (README "Decision log export"). */
export const CSV_COLUMNS: ReadonlyArray<[string, (e: Event) => unknown]> = [
  ["timestamp", (e) => e.timestamp],
  ["decision_id", (e) => e.decision_id],
  ["allowed", (e) => e.allowed],
  ["dry_run", (e) => e.dry_run],
  ["reason", (e) => e.reason],
  ["error_code", (e) => at(e, "error", "code")],
  ["subject", (e) => at(e, "identity", "subject")],
  ["methods", (e) => (at(e, "identity", "methods") as string[] | undefined)?.join(" ")],
  ["http_method", (e) => at(e, "input", "attributes", "request", "http", "method")],
  ["http_host", (e) => at(e, "input", "attributes", "request", "http", "host")],
  ["http_path", (e) => at(e, "input", "attributes", "request", "http", "path")],
  [
    "source_address",
    (e) => at(e, "input", "attributes", "source", "address", "socketAddress", "address"),
  ],
  ["cache", (e) => e.cache],
  ["bundle_revision", (e) => at(e, "bundles", "authz", "revision")],
  ["sidecar_id", (e) => at(e, "labels", "id")],
  ["chain_id", (e) => e.chain_id],
  ["seq", (e) => e.seq],
  ["hash", (e) => e.hash],
];

/**
 * `openclaw-authz logs export --format csv|ndjson [--since T] [--until T] [--deny-only]` over
 * the same sources as `logs verify`: the decisions (not the chain's control events) in the
 * window, oldest first as stored. NDJSON keeps each event's text as logged (so it still
 * verifies); CSV has {@link CSV_COLUMNS}. Exit 0.
 */
export async function exportCommand(
  config: Config,
  options: ExportOptions,
  write: (text: string) => void,
): Promise<number> {
  // The CSV header goes out with the first row (or at the end): a source that cannot be read
  // leaves stdout empty, not a header-only CSV that reads as an empty window.
  let headed = options.format !== "csv";
  const head = () => {
    if (!headed) write(`${CSV_COLUMNS.map(([name]) => name).join(",")}\r\n`);
    headed = true;
  };
  for await (const { text, event } of readLog(config, options)) {
    const e = event as Event | undefined;
    if (!e || typeof e !== "object" || typeof e.decision_id !== "string") continue;
    const time = Date.parse(String(e.timestamp));
    if (options.sinceMs !== undefined && !(time >= options.sinceMs)) continue;
    if (options.untilMs !== undefined && !(time < options.untilMs)) continue;
    if (options.denyOnly && e.allowed !== false) continue;
    head();
    write(
      options.format === "ndjson"
        ? `${text}\n`
        : `${CSV_COLUMNS.map(([, read]) => csvField(read(e))).join(",")}\r\n`,
    );
  }
  head();
  return 0;
}

/** An ISO 8601 time for `--since`/`--until`, in ms. Throws AuthzError when it is not one. */
export function parseTime(text: string, flag: string): number {
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(ms))
    throw new AuthzError(
      "usage_invalid",
      `${flag} must be an ISO 8601 time (2024-05-01T00:00:00Z)`,
    );
  return ms;
}

function at(value: unknown, ...path: string[]): unknown {
  let node = value;
  for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
  return node;
}

/**
 * One CSV field (RFC 4180: quoted when it holds a comma, quote or line break). A text starting
 * with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`, so a spreadsheet does not run it as a
 * formula (OWASP "CSV injection"): a request path is attacker-chosen.
 */
function csvField(value: unknown): string {
  if (value === undefined || value === null) return "";
  let text = typeof value === "string" ? value : JSON.stringify(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

import { createReadStream } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { gunzipSync } from "node:zlib";
import type { Config } from "../config/index.js";
import { AuthzError } from "../errors.js";
import { connectRedisOnce } from "../sidecar/index.js";

/** Where `logs verify` and `logs export` read events: one of the three. */
export interface LogSourceOptions {
  /** An NDJSON file, or `-` for stdin. */
  log?: string;
  /** A directory of collector uploads (NDJSON, JSON arrays, either gzipped), read by name. */
  dir?: string;
  /** The configured `decisionLog.redisStream`. */
  redisStream: boolean;
}

/** One event as read: its position, its text, and the parsed value (undefined: not JSON). */
export interface ReadEvent {
  at: string;
  text: string;
  event: unknown;
}

/**
 * The events of a log, in the order stored. Positions: `line N` (a file or stdin), the entry id
 * (a Redis Stream), `FILE:N` or `FILE#N` (the Nth element of a JSON array) in a directory.
 * Throws AuthzError: `usage_invalid` when none (or more than one) is named, `input_unreadable`
 * when a file or directory cannot be read, `redis_unavailable` when the stream cannot be.
 */
export function readLog(config: Config, options: LogSourceOptions): AsyncIterable<ReadEvent> {
  const named = [options.log, options.dir, options.redisStream || undefined].filter(Boolean);
  if (named.length !== 1)
    throw new AuthzError("usage_invalid", "name one of --log FILE|-, --dir DIR, --redis-stream");
  if (options.log !== undefined) return fromLines(options.log);
  if (options.dir !== undefined) return fromDirectory(options.dir);
  return fromStream(config);
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

async function* fromLines(path: string): AsyncIterable<ReadEvent> {
  const stream = path === "-" ? process.stdin : createReadStream(path);
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  try {
    for await (const text of lines) {
      n++;
      if (text.trim() !== "") yield { at: `line ${n}`, text, event: parse(text) };
    }
  } catch (error) {
    throw new AuthzError("input_unreadable", `cannot read ${path}: ${(error as Error).message}`);
  }
}

async function* fromDirectory(dir: string): AsyncIterable<ReadEvent> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    throw new AuthzError("input_unreadable", `cannot read ${dir}: ${(error as Error).message}`);
  }
  for (const name of names) {
    const raw = await readFile(join(dir, name)).catch((error: Error) => {
      throw new AuthzError("input_unreadable", `cannot read ${join(dir, name)}: ${error.message}`);
    });
    const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString("utf8");
    const array = text.trimStart().startsWith("[") ? parse(text) : undefined;
    if (Array.isArray(array)) {
      let i = 0;
      for (const event of array) yield { at: `${name}#${i++}`, text: JSON.stringify(event), event };
      continue;
    }
    let n = 0;
    for (const line of text.split("\n")) {
      n++;
      if (line.trim() !== "") yield { at: `${name}:${n}`, text: line, event: parse(line) };
    }
  }
}

async function* fromStream(config: Config): AsyncIterable<ReadEvent> {
  const settings = config.decisionLog.redisStream;
  if (!settings)
    throw new AuthzError("config_invalid", "--redis-stream needs decisionLog.redisStream");
  const connection = await connectRedisOnce(settings, { key: "decisionLog.redisStream" });
  try {
    let start = "-";
    for (;;) {
      const page = (await connection.client
        .xrange(settings.stream, start, "+", "COUNT", 1000)
        .catch((error: unknown) => {
          throw connection.failed(error);
        })) as Array<[string, string[]]>;
      for (const [id, fields] of page) {
        const text = fields[fields.indexOf("event") + 1] ?? "";
        yield { at: id, text, event: parse(text) };
      }
      if (page.length < 1000) return;
      start = `(${page.at(-1)?.[0]}`;
    }
  } finally {
    connection.close();
  }
}

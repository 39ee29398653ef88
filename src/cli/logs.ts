import type { Config } from "../config/index.js";
import { AuthzError } from "../errors.js";
import { connectRedisOnce } from "../sidecar/index.js";

/** Options of `openclaw-authz logs tail`. */
export interface TailOptions {
  follow: boolean;
  denyOnly: boolean;
  subject?: string;
  /** How many recent events to show first. Default 20. */
  count: number;
  /** Human-readable lines (a terminal) or NDJSON (a pipe). */
  human: boolean;
  /** Stops `--follow`. */
  signal: AbortSignal;
}

interface Event {
  decision_id?: string;
  timestamp?: string;
  allowed?: boolean;
  reason?: string;
  cache?: string;
  identity?: { subject?: string };
  input?: { attributes?: { request?: { http?: { method?: string; path?: string } } } };
}

type Entry = [id: string, fields: string[]];

/**
 * `openclaw-authz logs tail [--follow] [--deny-only] [--subject S] [--count N]`: prints the
 * decision log from the Redis Stream, oldest first, one event per line; `--follow` then waits
 * for new ones (XREAD BLOCK) until interrupted. Throws AuthzError: `config_invalid` when no
 * stream is configured, `redis_unavailable` when Redis cannot be reached or fails.
 */
export async function tailLogs(
  config: Config,
  options: TailOptions,
  write: (text: string) => void,
): Promise<number> {
  const settings = config.decisionLog.redisStream;
  if (!settings) throw new AuthzError("config_invalid", "logs tail needs decisionLog.redisStream");
  const connection = await connectRedisOnce(settings, { key: "decisionLog.redisStream" });
  const redis = connection.client;
  try {
    const show = (entries: Entry[]) => {
      for (const [, fields] of entries) {
        const line = render(fields, options);
        if (line !== undefined) write(`${line}\n`);
      }
    };
    const recent =
      options.count > 0
        ? (
            ((await redis.xrevrange(settings.stream, "+", "-", "COUNT", options.count)) ??
              []) as Entry[]
          ).reverse()
        : [];
    show(recent);
    // Follow from the newest entry now (not "$" per call, which would skip events written
    // between two XREADs).
    const newest = (await redis.xrevrange(settings.stream, "+", "-", "COUNT", 1)) as Entry[] | null;
    let last = recent.at(-1)?.[0] ?? newest?.[0]?.[0] ?? "0-0";
    while (options.follow && !options.signal.aborted) {
      const reply = (await redis.xread("BLOCK", 1_000, "STREAMS", settings.stream, last)) as Array<
        [string, Entry[]]
      > | null;
      const entries = reply?.[0]?.[1] ?? [];
      show(entries);
      last = entries.at(-1)?.[0] ?? last;
    }
    return 0;
  } catch (error) {
    throw connection.failed(error);
  } finally {
    connection.close();
  }
}

function render(fields: string[], options: TailOptions): string | undefined {
  const text = fields[fields.indexOf("event") + 1];
  if (text === undefined) return undefined;
  let event: Event;
  try {
    event = JSON.parse(text) as Event;
  } catch {
    return undefined;
  }
  if (options.denyOnly && event.allowed !== false) return undefined;
  if (options.subject !== undefined && event.identity?.subject !== options.subject)
    return undefined;
  if (!options.human) return text;
  const http = event.input?.attributes?.request?.http;
  return [
    event.timestamp,
    event.allowed ? "ALLOW" : "DENY ",
    `${http?.method ?? "-"} ${http?.path ?? "-"}`,
    event.identity?.subject ?? "anonymous",
    event.reason ?? "",
    `[${event.cache ?? "-"}]`,
    event.decision_id,
  ].join("  ");
}

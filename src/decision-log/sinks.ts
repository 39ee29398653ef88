import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { Fetch } from "../fetch.js";
import type { SinkWriter } from "./queue.js";

const compress = promisify(gzip);

/** A stream pino writes to (SonicBoom): `write` returns false when its buffer is full. */
export interface LineStream {
  write(chunk: string): boolean;
  on(event: "drain", listener: () => void): unknown;
}

/**
 * Console sink: NDJSON lines on a pino destination. `write` returning false means the lines are
 * buffered past the high-water mark, not refused (SonicBoom keeps them), so the batch is written
 * either way: the sink then waits for `drain`, or the timeout, before the next batch, which is
 * backpressure only. A batch is never handed back to be written twice. One `drain` listener, made
 * here, serves every wait, so a stdout that stays full never piles listeners up.
 */
export function createConsoleWriter(deps: { stream: LineStream }): SinkWriter {
  const { stream } = deps;
  let waiting: (() => void) | undefined;
  stream.on("drain", () => waiting?.());
  return {
    name: "console",
    write: (batch, signal) =>
      new Promise<void>((resolve) => {
        if (stream.write(`${batch.join("\n")}\n`)) return resolve();
        const done = () => {
          signal.removeEventListener("abort", done);
          if (waiting === done) waiting = undefined;
          resolve();
        };
        waiting = done;
        signal.addEventListener("abort", done, { once: true });
      }),
  };
}

/** The two scripting commands the stream sink uses (an ioredis client satisfies it). */
export interface StreamCommands {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/**
 * One batch, atomically: `XADD <stream> MAXLEN ~ <cap> * event <line>` for each event whose seq
 * is above the last seq this stream took of its chain (`{<stream>}:seq:<chain_id>`, in the
 * stream's cluster slot, kept 30 days past its chain's last write), so a batch written again
 * after a timeout or replayed from the spill (whose first write Redis had carried out after all)
 * adds nothing twice. Unchained lines
 * (key index 0) are always added.
 * KEYS: the stream, then each chain's key; ARGV: the cap, the keys' TTL, then per event the key
 * index, the seq and the line. Returns how many it added.
 */
const STREAM_SCRIPT = `
local heads = {}
for k = 2, #KEYS do heads[k] = tonumber(redis.call('GET', KEYS[k]) or '-1') end
local added = 0
for i = 3, #ARGV, 3 do
  local k = tonumber(ARGV[i])
  local seq = tonumber(ARGV[i + 1])
  if k == 0 or seq > heads[k] then
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'event', ARGV[i + 2])
    if k > 0 then heads[k] = seq end
    added = added + 1
  end
end
for k = 2, #KEYS do redis.call('SET', KEYS[k], heads[k], 'EX', ARGV[2]) end
return added
`;
const STREAM_SCRIPT_SHA = createHash("sha1").update(STREAM_SCRIPT).digest("hex");
const SEQ_KEY_TTL_S = 30 * 24 * 3600;

/** A chained line's chain and seq, read from its start (`chain.ts` writes them first). */
const CHAIN_AT_START = /^\{"seq":(\d+),"chain_id":"([^"\\]*)"/;

/**
 * Redis Stream sink: each batch one script ({@link STREAM_SCRIPT}: EVALSHA, EVAL once when Redis
 * does not know it), which adds each event to the stream once per chain seq. A failed or timed-out
 * batch fails as a whole (and is retried by the queue, harmlessly if Redis ran it after all).
 */
export function createRedisStreamWriter(
  deps: { redis: StreamCommands },
  options: { stream: string; maxLen: number },
): SinkWriter {
  const { redis } = deps;
  const seqPrefix = sameSlotAs(options.stream);
  const run = async (args: (string | number)[], keys: number) => {
    try {
      return await redis.evalsha(STREAM_SCRIPT_SHA, keys, ...args);
    } catch (error) {
      if (!String((error as Error).message).startsWith("NOSCRIPT")) throw error;
      return redis.eval(STREAM_SCRIPT, keys, ...args);
    }
  };
  return {
    name: "redis",
    async write(batch, signal) {
      const keys = [options.stream];
      const events: Array<string | number> = [];
      for (const line of batch) {
        const chained = CHAIN_AT_START.exec(line);
        let index = 0;
        if (chained) {
          const key = `${seqPrefix}:seq:${chained[2]}`;
          index = keys.indexOf(key) + 1 || keys.push(key);
        }
        events.push(index, chained ? Number(chained[1]) : -1, line);
      }
      const args = [...keys, options.maxLen, SEQ_KEY_TTL_S, ...events];
      await abortable(run(args, keys.length), signal, "redis: XADD timed out");
    },
  };
}

/**
 * A key prefix in the stream's Redis Cluster hash slot: a script's keys must share one. A name
 * with a hash tag (`{…}` holding something) keeps it; any other is hashed whole, as the tag
 * `{<name>}` is.
 */
export function sameSlotAs(stream: string): string {
  const open = stream.indexOf("{");
  const close = open < 0 ? -1 : stream.indexOf("}", open + 1);
  return close > open + 1 ? stream : `{${stream}}`;
}

/**
 * OPA's remote decision-log protocol: a gzip-compressed JSON array of events POSTed to the
 * collector (OPA's `<service>/logs`), with a bearer token when configured; 2xx is success.
 */
export function createRemoteWriter(
  deps: { fetch: Fetch },
  options: { url: string; token?: string },
): SinkWriter {
  const { fetch } = deps;
  return {
    name: "remote",
    async write(batch, signal) {
      const body = await compress(Buffer.from(`[${batch.join(",")}]`));
      const response = await fetch(options.url, {
        method: "POST",
        body,
        signal,
        headers: {
          "content-type": "application/json",
          "content-encoding": "gzip",
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`remote: HTTP ${response.status}`);
    },
  };
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    signal.addEventListener("abort", () => reject(new Error(message)), { once: true });
    promise.then(resolve, reject);
  });
}

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

/** The one Redis command the stream sink uses, pipelined (an ioredis client satisfies it). */
export interface StreamCommands {
  pipeline(): {
    xadd(key: string, ...args: Array<string | number>): unknown;
    exec(): Promise<Array<[Error | null, unknown]> | null>;
  };
}

/**
 * Redis Stream sink: `XADD <stream> MAXLEN ~ <cap> * event <json>` per event, pipelined per
 * batch. A batch with any failed command fails as a whole (and is retried by the queue).
 */
export function createRedisStreamWriter(
  deps: { redis: StreamCommands },
  options: { stream: string; maxLen: number },
): SinkWriter {
  const { redis } = deps;
  return {
    name: "redis",
    async write(batch, signal) {
      const pipeline = redis.pipeline();
      for (const line of batch)
        pipeline.xadd(options.stream, "MAXLEN", "~", options.maxLen, "*", "event", line);
      const results = await abortable(pipeline.exec(), signal, "redis: XADD timed out");
      const failure = results?.find(([error]) => error)?.[0];
      if (!results || failure) throw failure ?? new Error("redis: pipeline not executed");
    },
  };
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

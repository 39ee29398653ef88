import cluster from "node:cluster";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Config } from "../config/index.js";
import {
  type ChainHead,
  type ChainLink,
  type CheckpointSigner,
  createChain,
  type DecisionLog,
  mergeRanges,
  openChainState,
  parseSigningKey,
  readChainState,
  sameSlotAs,
  seqOfLine,
} from "../decision-log/index.js";
import { AuthzError } from "../errors.js";
import { watchFile } from "../watched-file.js";

/** The Redis commands the chain uses (an ioredis client satisfies it). */
export interface StreamReader {
  xrevrange(key: string, end: string, start: string, count: "COUNT", n: number): Promise<unknown>;
  exists(key: string): Promise<number>;
  set(key: string, value: string, expiry: "EX", seconds: number): Promise<unknown>;
  del(key: string): Promise<number>;
  readonly status: string;
  once(event: "ready", listener: () => void): unknown;
}

/** A chain opened from the config, with what it holds open. */
export interface OpenedChain {
  chain: ReturnType<typeof createChain>;
  /** Starts the checkpoint timer and the gap reports, writing to `log`. */
  start(log: DecisionLog): void;
  /**
   * A sink dropped `lines` for want of room: reported as a `gap` event within a second, and again
   * with every later drop until that sink has written a `gap` event naming them ({@link written}).
   */
  dropped(sink: string, lines: readonly string[]): void;
  /** A sink wrote `lines`: the gaps a `gap` event among them declared are declared. */
  written(sink: string, lines: readonly string[]): void;
  /** Gives up the claim on the chain in the Redis Stream (before that connection closes). */
  release(): Promise<void>;
  close(): void;
}

/** What one sink dropped and has not yet written a `gap` event about. */
interface SinkGaps {
  ranges: Array<[number, number]>;
  /** Gap events written to the log, each with the ranges it names, until the sink has written it. */
  declaring: Array<{ line: string | undefined; ranges: Array<[number, number]> }>;
  /** Drops since the last gap event. */
  changed: boolean;
}

/** How far back in the Redis Stream a restarting sidecar looks for its own last event. */
const STREAM_LOOKBACK = 1_000;
/** How long the start waits for the stream's connection before starting a new chain. */
const STREAM_WAIT_MS = 2_000;
/**
 * A running sidecar's claim on its chain in the Redis Stream (`{<stream>}:writer:<chain_id>`):
 * renewed every 5 s, lapsing 15 s after its sidecar has gone. A starting sidecar continues a chain
 * found in the stream only when nobody holds it: two sidecars under one `decisionLog.chain.name`
 * (one host, no name configured) would otherwise write the same seqs, and the stream keeps only
 * the first of each.
 */
const CLAIM_TTL_S = 15;
const CLAIM_RENEW_MS = 5_000;

/**
 * Opens the decision log's chain (`decisionLog.chain`): finds the previous run's head (state file,
 * else the Redis Stream), keeps the head in the state file, loads (and watches) the signing key.
 * A worker (`server.workers` > 1) has its own chain, `<name>/w<worker id>`, and state file
 * (`<stateFile>.w<id>`). Throws AuthzError when the key or the state file cannot be used.
 */
export async function openChain(
  config: Config,
  labels: Record<string, string>,
  deps: { redis?: StreamReader; onError(error: Error): void },
): Promise<OpenedChain | undefined> {
  const settings = config.decisionLog.chain;
  if (!settings.enabled) return undefined;
  const worker = cluster.worker ? `/w${cluster.worker.id}` : "";
  const name = `${settings.name ?? hostname()}${worker}`;
  const statePath = settings.stateFile ? `${settings.stateFile}${worker}` : undefined;
  const stream = config.decisionLog.redisStream?.stream;
  const claimOf = (chainId: string) => `${sameSlotAs(stream ?? "")}:writer:${chainId}`;
  const found = await previousHead(name, statePath, config, deps.redis);
  const taken =
    found?.link === "redis_stream" &&
    (await deps.redis?.exists(claimOf(found.head.chainId)).catch(() => 0)) === 1;
  if (taken)
    deps.onError(
      new Error(
        `chain ${found.head.chainId} is being written by a running sidecar (set decisionLog.chain.name per sidecar): a new chain starts`,
      ),
    );
  const head = (!taken && found?.head) || {
    chainId: `${name}:${randomUUID()}`,
    nextSeq: 0,
    prevHash: null,
  };
  const claim = deps.redis && stream ? claimOf(head.chainId) : undefined;
  const renewClaim = () =>
    claim ? deps.redis?.set(claim, hostname(), "EX", CLAIM_TTL_S).catch(() => {}) : undefined;
  await renewClaim();
  const signer = await openSigner(settings.checkpoint, deps.onError);
  let state: ReturnType<typeof openChainState> | undefined;
  try {
    state = statePath ? openChainState(statePath) : undefined;
  } catch (error) {
    throw new AuthzError("file_unreadable", `decisionLog.chain.stateFile: ${String(error)}`);
  }
  const chain = createChain(
    { signer: signer?.current, now: () => new Date(), ...(state ? { onHead: state.save } : {}) },
    {
      head,
      link: (!taken && found?.link) || "none",
      labels,
      every: settings.checkpoint?.every ?? Number.MAX_SAFE_INTEGER,
    },
  );
  const gaps = new Map<string, SinkGaps>();
  const timers: NodeJS.Timeout[] = [];
  return {
    chain,
    start(log) {
      const interval = settings.checkpoint?.interval;
      if (interval) timers.push(setInterval(() => log.checkpoint(), interval).unref());
      if (claim) timers.push(setInterval(renewClaim, CLAIM_RENEW_MS).unref());
      // At most one gap event per sink a second, and only when it has new drops to declare: a
      // gap event pushed out of a full queue is a drop too, so the next one declares it again.
      const report = () => {
        for (const [sink, gap] of gaps) {
          if (!gap.changed) continue;
          gap.changed = false;
          const ranges = gap.ranges.map(([first, last]): [number, number] => [first, last]);
          const dropped = ranges.reduce((sum, [first, last]) => sum + last - first + 1, 0);
          // Each names every range the ones before it did: four in flight are plenty.
          gap.declaring = [
            ...gap.declaring.slice(-3),
            { line: log.note("gap", { sink, ranges, dropped }), ranges },
          ];
        }
      };
      timers.push(setInterval(report, 1_000).unref());
    },
    dropped(sink, lines) {
      const first = seqOfLine(lines[0] ?? "");
      const last = seqOfLine(lines.at(-1) ?? "");
      if (first === undefined || last === undefined) return;
      const gap = gaps.get(sink) ?? { ranges: [], declaring: [], changed: false };
      // A failed batch put back in front of the queue is dropped after newer events were.
      gap.ranges = mergeRanges([...gap.ranges, [first, last]]);
      gap.changed = true;
      gaps.set(sink, gap);
    },
    written(sink, lines) {
      const gap = gaps.get(sink);
      if (!gap || gap.declaring.length === 0) return;
      const arrived = gap.declaring.filter((d) => d.line !== undefined && lines.includes(d.line));
      if (arrived.length === 0) return;
      const declared = arrived.flatMap((d) => d.ranges);
      gap.ranges = gap.ranges.filter(([a, b]) => !declared.some(([x, y]) => x <= a && b <= y));
      gap.declaring = gap.declaring.filter((d) => !arrived.includes(d));
      if (gap.ranges.length === 0 && gap.declaring.length === 0) gaps.delete(sink);
    },
    async release() {
      if (claim) await deps.redis?.del(claim).catch(() => 0);
    },
    close() {
      for (const timer of timers) clearInterval(timer);
      signer?.close();
      state?.close();
    },
  };
}

async function previousHead(
  name: string,
  statePath: string | undefined,
  config: Config,
  redis: StreamReader | undefined,
): Promise<{ head: ChainHead; link: ChainLink } | undefined> {
  const saved = statePath ? readChainState(statePath) : undefined;
  if (saved) return { head: saved, link: "state_file" };
  const stream = config.decisionLog.redisStream?.stream;
  if (!redis || !stream) return undefined;
  let entries: Array<[string, string[]]>;
  try {
    if (redis.status !== "ready")
      await new Promise<void>((resolve) => {
        redis.once("ready", resolve);
        setTimeout(resolve, STREAM_WAIT_MS).unref();
      });
    entries = ((await redis.xrevrange(stream, "+", "-", "COUNT", STREAM_LOOKBACK)) ?? []) as Array<
      [string, string[]]
    >;
  } catch {
    return undefined;
  }
  for (const [, fields] of entries) {
    const event = parseEvent(fields[fields.indexOf("event") + 1]);
    const { chain_id: chainId, seq, hash } = event ?? {};
    if (typeof chainId !== "string" || !chainId.startsWith(`${name}:`)) continue;
    if (!Number.isSafeInteger(seq) || typeof hash !== "string") continue;
    return {
      head: { chainId, nextSeq: (seq as number) + 1, prevHash: hash },
      link: "redis_stream",
    };
  }
  return undefined;
}

function parseEvent(text: string | undefined): Record<string, unknown> | undefined {
  try {
    return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    return undefined;
  }
}

async function openSigner(
  settings: Config["decisionLog"]["chain"]["checkpoint"],
  onError: (error: Error) => void,
) {
  if (!settings) return undefined;
  const watched = await watchFile<CheckpointSigner>(
    { parse: (text) => parseSigningKey(text, settings.keyId), onError },
    { path: settings.keyFile, intervalMs: 10_000 },
  );
  if (!watched.current()) {
    watched.close();
    throw new AuthzError(
      "file_unreadable",
      "decisionLog.chain.checkpoint.keyFile: not a readable Ed25519 private key (PEM PKCS#8)",
    );
  }
  return watched;
}

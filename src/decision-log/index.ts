import type { CheckResponse, DecisionRecord } from "../authz/index.js";
import { stringifyJson } from "../input/index.js";
import type { Chain } from "./chain.js";
import { type EventContext, toDecisionEvent } from "./event.js";
import type { QueuedSink } from "./queue.js";

export { type Chain, type ChainHead, type ChainLink, createChain, seqOfLine } from "./chain.js";
export { openChainState, readChainState } from "./chain-state.js";
export {
  type CheckpointSigner,
  parseSigningKey,
  parseVerificationKeys,
  publicJwk,
  type VerificationKeys,
} from "./checkpoint.js";

export { createMasker, DEFAULT_ERASE } from "./masking.js";
export { createQueuedSink, type QueuedSink, type SinkEvents, type SinkWriter } from "./queue.js";
export { isNamePattern } from "./secret-names.js";
export {
  createConsoleWriter,
  createRedisStreamWriter,
  createRemoteWriter,
  sameSlotAs,
} from "./sinks.js";
export { openSpill, type Spill } from "./spill.js";
export {
  type ChainReport,
  type LoggedEvent,
  mergeRanges,
  type Problem,
  type VerifyReport,
  verifyLog,
} from "./verify.js";

/** Writes each decision as one masked event to every sink, off the Check path. */
export interface DecisionLog {
  log(record: DecisionRecord, response: CheckResponse): void;
  /**
   * Writes a chained control event (`gap`, docs/decision-log-chain.md) and returns its line;
   * no-op (undefined) without a chain.
   */
  note(kind: string, fields: Record<string, unknown>): string | undefined;
  /** Writes a signed checkpoint if events came since the last one (and a key is set). */
  checkpoint(): void;
  /** Writes what is buffered, within `deadlineMs` from now. */
  flush(deadlineMs: number): Promise<void>;
}

/** What {@link createDecisionLog} works with. */
export interface DecisionLogDeps {
  /** Every sink gets every event. */
  sinks: QueuedSink[];
  /** An event could not be built at all (it is dropped). */
  onError(error: Error): void;
  /** Chains every event (seq, prev_hash, hash) and makes the checkpoints; none: unchained. */
  chain?: Chain;
}

/**
 * Creates the decision log. Events are built after the response has gone out (setImmediate),
 * serialized once and pushed to every sink's bounded queue; nothing here waits on a sink. An event
 * that cannot be built whole (an input too deep to serialize) is logged without its input
 * (`erased` says `/input`); one that cannot be built at all is reported to `onError`, and the
 * process goes on: a deferred task never throws. `flush` is its end; the sinks' connections are
 * closed by whoever opened them. With a chain, every event is chained in the order it is
 * written, a checkpoint follows every `every` events, and `flush` writes one first.
 */
export function createDecisionLog(deps: DecisionLogDeps, options: EventContext): DecisionLog {
  const { sinks, onError, chain } = deps;
  const serialize = chain ? chain.append : stringifyJson;
  let pending = 0;
  let idle: (() => void) | undefined;
  const write = (line: string | undefined) => {
    if (line !== undefined) for (const sink of sinks) sink.push(line);
  };
  return {
    log(record, response) {
      if (sinks.length === 0) return;
      pending++;
      setImmediate(() => {
        try {
          write(eventLine(record, response, options, serialize));
          if (chain?.checkpointDue()) write(chain.checkpoint());
        } catch (error) {
          onError(error instanceof Error ? error : new Error(String(error)));
        } finally {
          if (--pending === 0) idle?.();
        }
      });
    },
    note(kind, fields) {
      const line = chain?.note(kind, fields);
      write(line);
      return line;
    },
    checkpoint() {
      if (chain) write(chain.checkpoint());
    },
    async flush(deadlineMs) {
      const deadline = Date.now() + deadlineMs;
      if (pending > 0) await new Promise<void>((resolve) => (idle = resolve));
      if (chain) write(chain.checkpoint());
      await Promise.all(sinks.map((sink) => sink.flush(deadline)));
    },
  };
}

/** The event's line; one whose input cannot be serialized (or hashed) is written without it. */
function eventLine(
  record: DecisionRecord,
  response: CheckResponse,
  context: EventContext,
  serialize: (event: Record<string, unknown>) => string,
) {
  const asRecord = (event: unknown) => event as Record<string, unknown>;
  try {
    return serialize(asRecord(toDecisionEvent(record, response, context)));
  } catch {
    const event = toDecisionEvent({ ...record, input: undefined }, response, context);
    event.erased.push("/input");
    return serialize(asRecord(event));
  }
}

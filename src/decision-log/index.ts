import type { CheckResponse, DecisionRecord } from "../authz/index.js";
import { stringifyJson } from "../input/index.js";
import { type EventContext, toDecisionEvent } from "./event.js";
import type { QueuedSink } from "./queue.js";

export { createMasker, DEFAULT_ERASE } from "./masking.js";
export { createQueuedSink, type QueuedSink, type SinkEvents, type SinkWriter } from "./queue.js";
export { isNamePattern } from "./secret-names.js";
export { createConsoleWriter, createRedisStreamWriter, createRemoteWriter } from "./sinks.js";

/** Writes each decision as one masked event to every sink, off the Check path. */
export interface DecisionLog {
  log(record: DecisionRecord, response: CheckResponse): void;
  /** Writes what is buffered, within `deadlineMs` from now. */
  flush(deadlineMs: number): Promise<void>;
}

/** What {@link createDecisionLog} works with. */
export interface DecisionLogDeps {
  /** Every sink gets every event. */
  sinks: QueuedSink[];
  /** An event could not be built at all (it is dropped). */
  onError(error: Error): void;
}

/**
 * Creates the decision log. Events are built after the response has gone out (setImmediate),
 * serialized once and pushed to every sink's bounded queue; nothing here waits on a sink. An event
 * that cannot be built whole (an input too deep to serialize) is logged without its input
 * (`erased` says `/input`); one that cannot be built at all is reported to `onError`, and the
 * process goes on: a deferred task never throws. `flush` is its end; the sinks' connections are
 * closed by whoever opened them.
 */
export function createDecisionLog(deps: DecisionLogDeps, options: EventContext): DecisionLog {
  const { sinks, onError } = deps;
  let pending = 0;
  let idle: (() => void) | undefined;
  return {
    log(record, response) {
      if (sinks.length === 0) return;
      pending++;
      setImmediate(() => {
        try {
          const line = eventLine(record, response, options);
          for (const sink of sinks) sink.push(line);
        } catch (error) {
          onError(error instanceof Error ? error : new Error(String(error)));
        } finally {
          if (--pending === 0) idle?.();
        }
      });
    },
    async flush(deadlineMs) {
      const deadline = Date.now() + deadlineMs;
      if (pending > 0) await new Promise<void>((resolve) => (idle = resolve));
      await Promise.all(sinks.map((sink) => sink.flush(deadline)));
    },
  };
}

function eventLine(record: DecisionRecord, response: CheckResponse, context: EventContext) {
  try {
    return stringifyJson(toDecisionEvent(record, response, context));
  } catch {
    const event = toDecisionEvent({ ...record, input: undefined }, response, context);
    event.erased.push("/input");
    return stringifyJson(event);
  }
}

import type { CheckResponse, DecisionRecord } from "../authz/index.js";
import { stringifyJson } from "../input/index.js";
import { type DecisionEvent, toDecisionEvent } from "./event.js";

export { type DecisionEvent, ERASED_HEADERS, toDecisionEvent } from "./event.js";

/** Where events go: one NDJSON line each. */
export interface DecisionSink {
  write(line: string): void;
}

/** Writes each decision as one masked event to every sink. */
export interface DecisionLog {
  log(record: DecisionRecord, response: CheckResponse): void;
}

/** Creates the decision log. `path` is the decision path; `labels` go into every event. */
export function createDecisionLog(
  sinks: DecisionSink[],
  context: { path: string; labels: Record<string, string> },
): DecisionLog {
  return {
    log(record, response) {
      if (sinks.length === 0) return;
      const event: DecisionEvent = toDecisionEvent(record, response, context);
      const line = stringifyJson(event);
      for (const sink of sinks) sink.write(line);
    },
  };
}

/**
 * A sampled Check's span on the Check path: step times written down as plain numbers, and at its
 * end one append to the batch bound for the span thread. No object per step, no attributes
 * object, no SDK span: the span thread makes spans of the batch (span-records.ts).
 */
import type { CheckResponse, CheckSpan, CheckStep, DecisionRecord } from "../authz/index.js";
import { CHECK_NUMBERS, NUMBER, type SpanBatch, STEP_NUMBERS, STEPS } from "./span-protocol.js";

/** Epoch milliseconds, to a fraction of a microsecond (as the SDK's own clock). */
export const now = () => performance.timeOrigin + performance.now();

const STEP_INDEX = Object.fromEntries(STEPS.map((step, index) => [step, index])) as Record<
  CheckStep,
  number
>;
const POLICY_EVALUATION = STEP_INDEX.policy_evaluation;

/** The ids and context a sampled Check starts with. */
export interface CheckIds {
  traceId: string;
  spanId: string;
  /** "" for a new trace. */
  parentSpanId: string;
  traceState: string;
}

/** A sampled Check: one step open at a time, and the policy evaluation beside it. */
export class RecordedSpan implements CheckSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly ids: CheckIds;
  readonly start = now();
  /** {@link STEP_NUMBERS} per step: index in STEPS, start, end (0 while open). */
  readonly steps: number[] = [];
  /** Where the open step is in `steps`, -1 before the first. */
  private open = -1;

  constructor(
    ids: CheckIds,
    private readonly ended: EndedSpans,
  ) {
    this.ids = ids;
    this.traceId = ids.traceId;
    this.spanId = ids.spanId;
  }

  step(step: CheckStep): void {
    const at = now();
    if (this.open >= 0) this.steps[this.open + 2] = at;
    this.open = this.steps.length;
    this.steps.push(STEP_INDEX[step], at, 0);
  }

  evaluation(): () => void {
    const at = this.steps.length;
    this.steps.push(POLICY_EVALUATION, now(), 0);
    return () => {
      this.steps[at + 2] = now();
    };
  }

  end(record: DecisionRecord, response: CheckResponse): void {
    const end = now();
    // Whatever is still open ends with the Check: the step in progress (the one that threw, for
    // a failed Check) and an evaluation that never came back.
    for (let at = 2; at < this.steps.length; at += STEP_NUMBERS) {
      if (this.steps[at] === 0) this.steps[at] = end;
    }
    const failedStep = record.error && this.open >= 0 ? this.open / STEP_NUMBERS : -1;
    this.ended.add(this, end, failedStep, record, response);
  }
}

/** Where a sampled Check goes when it ends. */
export interface EndedSpans {
  add(
    span: RecordedSpan,
    end: number,
    failedStep: number,
    record: DecisionRecord,
    response: CheckResponse,
  ): void;
}

/** The batch being filled for the span thread. */
export interface SpanBatches extends EndedSpans {
  /** The Checks added since the last take (undefined for none); the next batch starts empty. */
  take(): SpanBatch | undefined;
  readonly checks: number;
}

const INITIAL_NUMBERS = 4096;

export function createSpanBatches(): SpanBatches {
  let numbers = new Float64Array(INITIAL_NUMBERS);
  let used = 0;
  let texts: string[] = [];
  let checks = 0;
  const reserve = (count: number) => {
    if (used + count <= numbers.length) return;
    const grown = new Float64Array(Math.max(numbers.length * 2, used + count));
    grown.set(numbers.subarray(0, used));
    numbers = grown;
  };
  return {
    get checks() {
      return checks;
    },
    add(span, end, failedStep, record, response) {
      const { steps, ids } = span;
      reserve(CHECK_NUMBERS + steps.length);
      const grpcStatus = response.status.code;
      numbers[used + NUMBER.steps] = steps.length / STEP_NUMBERS;
      numbers[used + NUMBER.start] = span.start;
      numbers[used + NUMBER.end] = end;
      numbers[used + NUMBER.grpcStatus] = grpcStatus;
      // A deny without an HTTP response is answered 403 by Envoy's ext_authz filter.
      numbers[used + NUMBER.httpStatus] =
        grpcStatus === 0 ? 200 : (response.deniedResponse?.status.code ?? 403);
      numbers[used + NUMBER.dryRun] = record.dryRun ? 1 : 0;
      numbers[used + NUMBER.failedStep] = failedStep;
      numbers[used + NUMBER.hasRevision] = record.revision === undefined ? 0 : 1;
      numbers.set(steps, used + CHECK_NUMBERS);
      used += CHECK_NUMBERS + steps.length;
      // In TEXT's order. Never the input, a token, a claim or a header: ids and outcome only.
      texts.push(
        ids.traceId,
        ids.spanId,
        ids.parentSpanId,
        ids.traceState,
        record.decisionId,
        record.cache ?? "bypass",
        record.revision ?? "",
        record.identity?.subject ?? "",
        record.error?.code ?? "",
      );
      checks++;
    },
    take() {
      if (checks === 0) return undefined;
      const batch: SpanBatch = { kind: "spans", checks, numbers: numbers.slice(0, used), texts };
      used = 0;
      texts = [];
      checks = 0;
      return batch;
    },
  };
}

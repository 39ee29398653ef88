import { isDeepStrictEqual } from "node:util";
import { decisionToResponse } from "../authz/index.js";
import type { InputDocument } from "../input/index.js";
import type { Evaluation } from "../policy/index.js";

/** The parts of a decision log event replay reads. */
export interface LoggedDecision {
  decision_id?: string;
  input?: InputDocument;
  result?: unknown;
  error?: { code?: string };
  /** The policy's reason, the failure's, or a refusal's (`rate_limited`). */
  reason?: string;
  erased?: string[];
  masked?: string[];
  identity?: { subject?: string };
}

/** One decision whose outcome the candidate policy changes. */
export interface Change {
  decision_id?: string;
  route: string;
  subject: string;
  before: "allow" | "deny";
  after: "allow" | "deny";
  beforeReason?: string;
  afterReason?: string;
}

/** What a replay found. */
export interface ReplayReport {
  /** Decision events read. */
  events: number;
  /**
   * Lines read that are not decision events (no `decision_id`): the hash chain's control
   * events, lines that are not JSON. Not in `events`.
   */
  others: number;
  replayed: number;
  /** Events not replayed: `skippedBy` says why. */
  skipped: number;
  /**
   * Why events were not replayed, by reason: the logged error code of a decision made without
   * the policy's answer ({@link POLICY_ERRORS}), or `no input` for an event whose input is not in
   * the log.
   */
  skippedBy: Record<string, number>;
  /** Replayed events whose input had fields erased or masked by the decision log. */
  masked: number;
  /** Allow ↔ deny flips. */
  flips: { allowToDeny: number; denyToAllow: number };
  /** Same allow/deny, different result (status, headers, reason …). */
  otherChanges: number;
  /** The candidate failed (undefined, error, malformed): counted as deny. */
  candidateErrors: number;
  byRoute: Record<string, number>;
  bySubject: Record<string, number>;
  examples: Change[];
}

/**
 * Evaluations replay keeps in flight: enough to keep an evaluation thread's batch full while the
 * next lines are parsed, few enough that the last one queued is far inside the evaluation
 * deadline (which counts time queued).
 */
const IN_FLIGHT = 16;

/**
 * The logged errors the policy itself produced: a candidate may answer these differently, so
 * they are replayed. Every other error code was decided before the policy ran, or without its
 * answer: a credential refused or revoked (`identity_invalid`, the 401 comes before the policy),
 * keys unavailable, a request that could not be parsed, no policy loaded, the evaluation deadline
 * (time queued for a thread counts, so under load the answer may never have come), an internal
 * fault. No candidate changes those decisions, and evaluating their input (which has no
 * verified identity) would invent one.
 */
const POLICY_ERRORS: ReadonlySet<string> = new Set([
  "policy_undefined",
  "policy_result_invalid",
  "policy_eval_error",
]);

/**
 * The input to replay a logged decision with, or why it is not replayed: an error not in
 * {@link POLICY_ERRORS} (its code), or neither an error nor a result, which is a decision the
 * policy never saw: a client address refused by its rate limit (its reason, `rate_limited`,
 * `address_blocked`, `rate_limit_unavailable`). A tenant's rate limit refuses after the policy
 * allowed, so that decision has the policy's result and is replayed, judged by it.
 */
function toReplay(decision: LoggedDecision): { input: InputDocument } | { skip: string } {
  const code = decision.error ? (decision.error.code ?? "error without a code") : undefined;
  if (code !== undefined && !POLICY_ERRORS.has(code)) return { skip: code };
  if (code === undefined && decision.result === undefined)
    return { skip: decision.reason ?? "no policy result" };
  return decision.input ? { input: decision.input } : { skip: "no input" };
}

/**
 * Re-evaluates logged inputs with a candidate policy and reports which decisions it would change.
 * `logged` is the log's lines as parsed (undefined for one that is not JSON); only decision
 * events count, the rest are `others`.
 * Outcomes are compared as Envoy would see them (allow or deny; errors deny); a dry-run event is
 * judged by its real result. Decisions made without the policy's answer are counted apart by
 * their error code ({@link POLICY_ERRORS}), never as flips, so replaying a log against the bundle
 * that wrote it finds no flip. Inputs are replayed as logged, masked fields included. Up to
 * {@link IN_FLIGHT} evaluations run at once; outcomes are tallied in log order.
 */
export async function replay(
  logged: AsyncIterable<unknown>,
  evaluate: (input: InputDocument) => Promise<Evaluation>,
  options: { examples: number },
): Promise<ReplayReport> {
  const report: ReplayReport = {
    events: 0,
    others: 0,
    replayed: 0,
    skipped: 0,
    skippedBy: {},
    masked: 0,
    flips: { allowToDeny: 0, denyToAllow: 0 },
    otherChanges: 0,
    candidateErrors: 0,
    byRoute: {},
    bySubject: {},
    examples: [],
  };
  const tally = (decision: LoggedDecision, after: Outcome) => {
    const before = outcome(decision.error ? { failed: true } : { value: decision.result });
    if (before.allowed === after.allowed) {
      // Members in any order: the log writes an event's members sorted (its canonical form).
      if (!isDeepStrictEqual(before.value, after.value)) report.otherChanges++;
      return;
    }
    if (before.allowed) report.flips.allowToDeny++;
    else report.flips.denyToAllow++;
    const change = describe(decision, before, after);
    report.byRoute[change.route] = (report.byRoute[change.route] ?? 0) + 1;
    report.bySubject[change.subject] = (report.bySubject[change.subject] ?? 0) + 1;
    if (report.examples.length < options.examples) report.examples.push(change);
  };
  const inFlight: Array<{ decision: LoggedDecision; after: Promise<Outcome> }> = [];
  const settleOldest = async () => {
    const oldest = inFlight.shift();
    if (oldest) tally(oldest.decision, await oldest.after);
  };
  for await (const decision of logged) {
    if (!isDecision(decision)) {
      report.others++;
      continue;
    }
    report.events++;
    const replaying = toReplay(decision);
    if ("skip" in replaying) {
      report.skipped++;
      report.skippedBy[replaying.skip] = (report.skippedBy[replaying.skip] ?? 0) + 1;
      continue;
    }
    report.replayed++;
    if ((decision.erased?.length ?? 0) + (decision.masked?.length ?? 0) > 0) report.masked++;
    inFlight.push({ decision, after: run(evaluate, replaying.input, report).then(outcome) });
    if (inFlight.length >= IN_FLIGHT) await settleOldest();
  }
  while (inFlight.length > 0) await settleOldest();
  return report;
}

function isDecision(value: unknown): value is LoggedDecision {
  return typeof value === "object" && value !== null && "decision_id" in value;
}

type Outcome = { allowed: boolean; value?: unknown; reason?: string };

async function run(
  evaluate: (input: InputDocument) => Promise<Evaluation>,
  input: InputDocument,
  report: ReplayReport,
) {
  try {
    const evaluation = await evaluate(input);
    if (evaluation.defined) return { value: evaluation.value };
  } catch {
    // counted below
  }
  report.candidateErrors++;
  return { failed: true };
}

function outcome(result: { value?: unknown; failed?: boolean }): Outcome {
  if (result.failed) return { allowed: false, reason: "error" };
  try {
    const { allowed } = decisionToResponse(result.value);
    const reason = (result.value as { reason?: unknown } | null)?.reason;
    return { allowed, value: result.value, ...(typeof reason === "string" ? { reason } : {}) };
  } catch {
    return { allowed: false, value: result.value, reason: "malformed result" };
  }
}

function describe(decision: LoggedDecision, before: Outcome, after: Outcome): Change {
  const http = (
    decision.input?.attributes as
      | { request?: { http?: { method?: string; path?: string } } }
      | undefined
  )?.request?.http;
  return {
    ...(decision.decision_id ? { decision_id: decision.decision_id } : {}),
    route: `${http?.method ?? "?"} ${(http?.path ?? "?").split("?")[0]}`,
    subject: decision.identity?.subject ?? "anonymous",
    before: before.allowed ? "allow" : "deny",
    after: after.allowed ? "allow" : "deny",
    ...(before.reason ? { beforeReason: before.reason } : {}),
    ...(after.reason ? { afterReason: after.reason } : {}),
  };
}

import { randomUUID } from "node:crypto";
import { AuthzError, type AuthzErrorCode, toAuthzError } from "../errors.js";
import {
  type CheckResponse,
  DecisionShapeError,
  decisionToResponse,
  RpcCode,
} from "./check-response.js";
import type { AuthzDeps, CheckOutcome, DecisionRecord, Identity } from "./types.js";

/** Options resolved once from the config (`policy` section). */
export interface AuthorizerOptions {
  /** Deny decisions are logged but answered OK (CONTRACT.md §3); errors are never masked. */
  dryRun: boolean;
}

/** Decides one CheckRequest. Never throws: every failure is a deny. */
export interface Authorizer {
  check(request: unknown): Promise<CheckOutcome>;
}

/**
 * The decision pipeline, in order: `toInput → verifyIdentity → evaluate → toCheckResponse`.
 * Each step is a plain function supplied in `deps`; this file owns only the order, the timers,
 * the fail-closed rule and the decision log record.
 */
export function createAuthorizer<R>(deps: AuthzDeps<R>, options: AuthorizerOptions): Authorizer {
  const { clock, newDecisionId = randomUUID } = deps;

  async function decide(request: R, record: DecisionRecord): Promise<CheckResponse> {
    const timer = startTimer(clock, record.metrics);
    const input = await deps.toInput(request);
    record.input = input;
    timer.lap("timer_input_build_ns");
    const identity: Identity = await deps.verifyIdentity(input);
    record.identity = identity;
    input.identity = identity as unknown as (typeof input)[string];
    timer.lap("timer_identity_ns");
    const policy = deps.policy();
    if (!policy) throw new AuthzError("policy_not_loaded", "no policy is loaded");
    record.revision = policy.revision;
    const evaluation = policy.evaluate(deps.serializeInput(input));
    timer.lap("timer_eval_ns");
    if (!evaluation.defined) throw new AuthzError("policy_undefined", "undefined decision");
    record.result = evaluation.value;
    const { allowed, response } = decisionToResponse(evaluation.value);
    record.allowed = allowed;
    if (allowed || !options.dryRun) return response;
    return {
      status: { code: RpcCode.OK },
      okResponse: {},
      dynamicMetadata: response.dynamicMetadata,
    };
  }

  return {
    async check(request) {
      const started = clock.nowNs();
      const record: DecisionRecord = {
        decisionId: newDecisionId(),
        timestamp: clock.now(),
        metrics: {},
        allowed: false,
        dryRun: options.dryRun,
      };
      let response: CheckResponse;
      try {
        response = await decide(request as R, record);
      } catch (thrown) {
        const error =
          thrown instanceof DecisionShapeError
            ? toAuthzError("policy_result_invalid", thrown)
            : toAuthzError("internal", thrown);
        record.error = error;
        record.allowed = false;
        response = errorResponse(error.code, error.message);
      }
      response.dynamicMetadata = { ...response.dynamicMetadata, decision_id: record.decisionId };
      record.metrics.timer_server_handler_ns = Number(clock.nowNs() - started);
      try {
        deps.onDecision(record, response);
      } catch {
        // Logging and metrics never change a decision (opa-envoy-plugin turns a log error into UNKNOWN).
      }
      return { allowed: response.status.code === RpcCode.OK, response, record };
    },
  };
}

/**
 * Fail closed: PERMISSION_DENIED with HTTP 403 whose body names the class of failure. A request
 * that cannot be parsed is HTTP 400 with the parser's message, as opa-envoy-plugin answers it.
 */
function errorResponse(code: AuthzErrorCode, message: string): CheckResponse {
  const parseError = code === "request_parse_error";
  const body = parseError ? `${code}: ${message}` : code;
  return {
    status: { code: RpcCode.PERMISSION_DENIED, message: body },
    deniedResponse: { status: { code: parseError ? 400 : 403 }, body },
  };
}

function startTimer(clock: AuthzDeps<unknown>["clock"], metrics: Record<string, number>) {
  let last = clock.nowNs();
  return {
    lap(name: string) {
      const now = clock.nowNs();
      metrics[name] = Number(now - last);
      last = now;
    },
  };
}

import { randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import { AuthzError, type CredentialMethod, InvalidCredential, toAuthzError } from "../errors.js";
import { stringifyJson } from "../input/index.js";
import {
  type CheckResponse,
  DecisionShapeError,
  decisionToResponse,
  type HeaderValueOption,
  RpcCode,
} from "./check-response.js";
import { rateLimitedResponse, withRateLimitHeaders } from "./rate-limit-response.js";
import type {
  AuthzSteps,
  CheckOutcome,
  CheckSpan,
  DecisionPolicy,
  DecisionRecord,
  PolicyInput,
} from "./types.js";

/** Options resolved once from the config (`policy` section). */
export interface AuthorizerOptions {
  /** Deny decisions are logged but answered OK (docs/contract.md §3); errors are never masked. */
  dryRun: boolean;
}

/** Decides one decoded CheckRequest `R`. Never throws: every failure is a deny. */
export interface Authorizer<R> {
  check(request: R): Promise<CheckOutcome>;
}

/**
 * A Check, in order: build the input document → the client address's rate limit → verify the
 * caller → refuse revoked credentials → the policy's result (from the cache, else evaluated) →
 * the CheckResponse → for an allowed request, the tenant's rate limit → the decision sink.
 * The steps are the modules themselves (`steps`); this file owns the order, the timers, the
 * fail-closed rule and the decision record.
 */
export function createAuthorizer<R>(
  steps: AuthzSteps<R>,
  options: AuthorizerOptions,
): Authorizer<R> {
  const { clock, newDecisionId = randomUUID } = steps;

  /** The policy's result for `input`: from the read cache when it has it, else evaluated. */
  async function evaluateOrRecall(
    input: PolicyInput,
    policy: DecisionPolicy,
    credentialExpiresAtMs: number | undefined,
    record: DecisionRecord,
    span: CheckSpan | undefined,
  ) {
    const evaluate = async () => {
      const started = clock.nowNs();
      const endSpan = span?.evaluation();
      try {
        return await policy.evaluate(stringifyJson(input), record.decisionId);
      } finally {
        record.metrics.timer_rego_query_eval_ns = Number(clock.nowNs() - started);
        endSpan?.();
      }
    };
    if (!steps.cache) {
      record.cache = "bypass";
      return evaluate();
    }
    const request = { method: httpMethod(input), policyId: policy.id, credentialExpiresAtMs };
    const { evaluation, cache } = await steps.cache.decide(input, request, evaluate);
    record.cache = cache;
    return evaluation;
  }

  /** An allowed request, counted against the caller's tenant: refused (429) or with its headers. */
  async function limitTenant(
    identity: PolicyInput["identity"],
    response: CheckResponse,
    record: DecisionRecord,
  ): Promise<CheckResponse> {
    const started = clock.nowNs();
    const tenant = await steps.rateLimit?.admitTenant(identity);
    record.metrics.timer_ratelimit_ns =
      (record.metrics.timer_ratelimit_ns ?? 0) + Number(clock.nowNs() - started);
    const verdict = tenant ?? record.rateLimits?.[0];
    if (tenant) record.rateLimits = [...(record.rateLimits ?? []), tenant];
    if (!verdict) return response;
    if (verdict.outcome === "allowed") return withRateLimitHeaders(response, verdict);
    record.allowed = false;
    return rateLimitedResponse(verdict);
  }

  /** A check that failed before its input existed: the trace and request ids, from the request. */
  function noteRequestContext(request: R, record: DecisionRecord) {
    const context = steps.requestContext?.(request);
    if (!record.trace && context?.trace) record.trace = context.trace;
    if (context?.requestId) record.requestId = context.requestId;
  }

  async function decide(
    request: R,
    record: DecisionRecord,
    span: CheckSpan | undefined,
  ): Promise<CheckResponse> {
    const timer = startTimer(clock, record.metrics);
    span?.step("input");
    const built = await steps.input.build(request);
    record.input = built.document;
    timer.lap("timer_input_build_ns");
    if (steps.rateLimit) span?.step("rate_limit");
    // Every request counts against its client address, unauthenticated and denied ones too.
    // (No await without rate limits: a check does not wait a microtask for nothing.)
    const address = steps.rateLimit && (await steps.rateLimit.admitAddress(built.document));
    if (address) {
      record.rateLimits = [address];
      timer.lap("timer_ratelimit_ns");
      if (address.outcome !== "allowed") return rateLimitedResponse(address);
    }
    span?.step("identity");
    const { identity, suspicious, expiresAtMs } = await steps.identity.verify(built);
    span?.step("revocation");
    record.identity = identity;
    if (suspicious.length > 0) record.suspicious = suspicious;
    const revoked = steps.revocations?.revoked(identity);
    if (revoked)
      throw new InvalidCredential(identity.methods[0] as CredentialMethod, `revoked ${revoked}`);
    const input: PolicyInput = { ...built.document, identity };
    record.input = input;
    timer.lap("timer_identity_ns");
    const policy = steps.policies.current();
    if (!policy) throw new AuthzError("policy_not_loaded", "no policy is loaded");
    record.revision = policy.revision;
    span?.step("cache");
    const evaluation = await evaluateOrRecall(input, policy, expiresAtMs, record, span);
    timer.lap("timer_cache_ns");
    // timer_cache_ns is the lookups around the policy; timer_rego_query_eval_ns the policy alone.
    record.metrics.timer_cache_ns =
      (record.metrics.timer_cache_ns ?? 0) - (record.metrics.timer_rego_query_eval_ns ?? 0);
    if (!evaluation.defined) throw new AuthzError("policy_undefined", "undefined decision");
    record.result = evaluation.value;
    const { allowed, response } = decisionToResponse(evaluation.value);
    record.allowed = allowed;
    if (allowed && steps.rateLimit) {
      span?.step("rate_limit");
      return limitTenant(identity, response, record);
    }
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
      const span = steps.tracer?.start(request);
      if (span) record.trace = { traceId: span.traceId, spanId: span.spanId };
      let response: CheckResponse;
      try {
        response = await decide(request, record, span);
      } catch (thrown) {
        const error =
          thrown instanceof DecisionShapeError
            ? toAuthzError("policy_result_invalid", thrown)
            : toAuthzError("internal", thrown);
        record.error = error;
        record.allowed = false;
        if (record.input === undefined) noteRequestContext(request, record);
        response = errorResponse(error);
      }
      response.dynamicMetadata = { ...response.dynamicMetadata, decision_id: record.decisionId };
      record.metrics.timer_server_handler_ns = Number(clock.nowNs() - started);
      span?.step("decision_log");
      try {
        steps.decisions.record(record, response);
      } catch {
        // Logging and metrics never change a decision (opa-envoy-plugin turns a log error into UNKNOWN).
      }
      span?.end(record, response);
      return { allowed: response.status.code === RpcCode.OK, response, record };
    },
  };
}

/**
 * Fail closed: PERMISSION_DENIED with HTTP 403 whose body names the class of failure. A request
 * that cannot be parsed is HTTP 400 with the parser's message, as opa-envoy-plugin answers it.
 * An invalid credential is HTTP 401: `www-authenticate: Bearer error="invalid_token"` for tokens
 * (RFC 6750 §3.1), `invalid_client_certificate` for an X.509-SVID; the reason stays in the log.
 */
function errorResponse(error: AuthzError): CheckResponse {
  const denied = (status: number, body: string, headers?: HeaderValueOption[]): CheckResponse => ({
    status: { code: RpcCode.PERMISSION_DENIED, message: body },
    deniedResponse: { status: { code: status }, body, ...(headers ? { headers } : {}) },
  });
  if (error.code === "request_parse_error") return denied(400, `${error.code}: ${error.message}`);
  if (!(error instanceof InvalidCredential)) return denied(403, error.code);
  if (error.method === "x509-svid") return denied(401, "invalid_client_certificate");
  return denied(401, "invalid_token", [
    { header: { key: "www-authenticate", value: 'Bearer error="invalid_token"' } },
  ]);
}

function httpMethod(input: PolicyInput): string {
  const http = (input.attributes as { request?: { http?: { method?: unknown } } } | undefined)
    ?.request?.http;
  return typeof http?.method === "string" ? http.method : "";
}

function startTimer(clock: Clock, metrics: Record<string, number>) {
  let last = clock.nowNs();
  return {
    lap(name: string) {
      const now = clock.nowNs();
      metrics[name] = Number(now - last);
      last = now;
    },
  };
}

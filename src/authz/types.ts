import type { CacheStatus } from "../cache/index.js";
import type { Clock } from "../clock.js";
import type { AuthzError } from "../errors.js";
import type { InputDocument } from "../input/index.js";
import type { Evaluation } from "../policy/index.js";
import type { RateVerdict } from "../ratelimit/index.js";
import type { CheckResponse } from "./check-response.js";

/** The verified caller (docs/contract.md §4). Anonymous callers: `{authenticated: false, methods: []}`. */
export interface Identity {
  authenticated: boolean;
  methods: string[];
  subject?: string;
  [block: string]: unknown;
}

/** What identity verification returns: the identity, and anything suspicious it ignored. */
export interface IdentityOutcome {
  identity: Identity;
  /** e.g. a proxy identity header from a peer that may not assert one. */
  suspicious: string[];
  /**
   * When the earliest verified credential expires (ms since epoch), undefined for an anonymous
   * caller; cached decisions must not outlive it. Not optional: a verifier that forgets it does
   * not type-check.
   */
  expiresAtMs: number | undefined;
}

/** The policy as the pipeline needs it: a revision and an evaluate function. */
export interface DecisionPolicy {
  readonly revision: string;
  /** Changes whenever the policy or its data does (cache keys use it). */
  readonly id: string;
  /** Evaluates the input's JSON text; rejects (a deny) on an evaluation error or a passed deadline. */
  evaluate(inputJson: string, decisionId: string): Promise<Evaluation>;
}

/**
 * The document the policy evaluates: the input document and the verified `identity`, made once
 * per check and never changed after (the cache key and the decision log read this very object).
 */
export interface PolicyInput {
  readonly [key: string]: unknown;
  readonly identity: Identity;
}

/** Everything one decision produced, for the decision log and metrics. */
export interface DecisionRecord {
  decisionId: string;
  timestamp: Date;
  /** What the policy saw; the document as built when the check stopped before the policy. */
  input?: PolicyInput | Readonly<InputDocument>;
  identity?: Identity;
  suspicious?: string[];
  revision?: string;
  result?: unknown;
  error?: AuthzError;
  allowed: boolean;
  dryRun: boolean;
  /** Whether the decision came from the cache. */
  cache?: CacheStatus;
  /** The rate limits this check was counted against (client address, then tenant). */
  rateLimits?: RateVerdict[];
  /** OPA-style timers: `timer_input_build_ns`, `timer_identity_ns`, `timer_rego_query_eval_ns`, … */
  metrics: Record<string, number>;
  /** The Check span's W3C ids when tracing is on (else the decision log reads the `traceparent`). */
  trace?: { traceId: string; spanId: string };
  /** The request's id (Envoy's `x-request-id`) when the check failed before its input was built. */
  requestId?: string;
}

/** What links a request to its traces, read from the request itself. */
export interface RequestContext {
  /** From the request's W3C `traceparent`: its trace id and the caller's span id. */
  trace?: { traceId: string; spanId: string };
  requestId?: string;
}

/** What {@link Authorizer.check} returns. */
export interface CheckOutcome {
  allowed: boolean;
  response: CheckResponse;
  record: DecisionRecord;
}

/**
 * An input document as its builder made it (never changed afterwards), and the credential
 * headers the builder left out of it: the identity step reads them, the policy never sees them.
 */
export interface BuiltInput {
  readonly document: Readonly<InputDocument>;
  /** Credential headers by lower-case name (the bearer token, the proxy identity header). */
  readonly credentials: Readonly<Record<string, string>>;
}

/** Step 1: the input document from a decoded CheckRequest `R`. */
export interface InputBuilder<R> {
  /** Throws `AuthzError("request_parse_error")` when the request cannot be parsed. */
  build(request: R): Promise<BuiltInput>;
}

/** Step 2: who the caller is. */
export interface IdentityStep {
  /** Throws InvalidCredential (401) or CredentialBackendError (deny) on a failed credential. */
  verify(input: BuiltInput): Promise<IdentityOutcome>;
}

/** Step 3: revoked subjects and tokens. */
export interface RevocationCheck {
  /** Why the caller's credential is revoked, or undefined. */
  revoked(identity: Identity): string | undefined;
}

/** Step 4: the read-decision cache in front of the policy. */
export interface DecisionCacheStep {
  /** The cached result for `input` when it has one; else `evaluate()`, kept when cacheable. */
  decide(
    input: PolicyInput,
    request: { method: string; policyId: string; credentialExpiresAtMs: number | undefined },
    evaluate: () => Promise<Evaluation>,
  ): Promise<{ evaluation: Evaluation; cache: CacheStatus }>;
}

/** Step 5: the policy serving now. */
export interface PolicySource {
  /** Undefined before the first policy loads. */
  current(): DecisionPolicy | undefined;
}

/** Step 6: where a finished decision goes (decision log, metrics). Called once per check. */
export interface DecisionSink {
  record(record: DecisionRecord, response: CheckResponse): void;
}

/** The child spans of a Check span, one per step, named so. */
export type CheckStep =
  | "input"
  | "rate_limit"
  | "identity"
  | "revocation"
  | "cache"
  | "policy_evaluation"
  | "decision_log";

/**
 * Tracing (optional; absent when off, so a Check pays one branch per step): one span per Check,
 * continued from the trace context the request `R` carries, and a child span per step.
 */
export interface CheckTracer<R> {
  start(request: R): CheckSpan;
}

/** One Check's span. */
export interface CheckSpan {
  /** The span's W3C trace and span ids (lower-case hex), for the decision log. */
  readonly traceId: string;
  readonly spanId: string;
  /** Ends the step in progress, if any, and starts `step`. */
  step(step: CheckStep): void;
  /** Starts the policy evaluation's span inside the step in progress; call the result to end it. */
  evaluation(): () => void;
  /** Ends the step in progress and the Check span, with the decision's attributes. */
  end(record: DecisionRecord, response: CheckResponse): void;
}

/**
 * Step 7: rate limits (issue 20). Every request counts against its client address; a request the
 * policy allowed counts against the caller's tenant. Implementations never reject: a store that
 * fails decides by its fail mode.
 */
export interface RateLimitStep {
  /** Undefined when the address is not limited (no address, or no address limit). */
  admitAddress(document: Readonly<InputDocument>): Promise<RateVerdict | undefined>;
  /** Undefined for anonymous callers. */
  admitTenant(identity: Identity): Promise<RateVerdict | undefined>;
}

/** The steps a Check goes through, in order, as {@link createAuthorizer} receives them. */
export interface AuthzSteps<R> {
  input: InputBuilder<R>;
  identity: IdentityStep;
  revocations?: RevocationCheck;
  /** The read-decision cache, when enabled. */
  cache?: DecisionCacheStep;
  policies: PolicySource;
  /** Rate limits, when enabled. */
  rateLimit?: RateLimitStep;
  decisions: DecisionSink;
  clock: Clock;
  newDecisionId?: () => string;
  /** Spans for each Check, when tracing is on. */
  tracer?: CheckTracer<R>;
  /**
   * Reads the trace ids and request id from `R` itself, for the decision log of a check that
   * failed before its input document existed (the log reads them from the document otherwise).
   */
  requestContext?: (request: R) => RequestContext;
}

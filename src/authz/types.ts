import type { CacheStatus, DecisionCache } from "../cache/index.js";
import type { AuthzError } from "../errors.js";
import type { InputDocument } from "../input/index.js";
import type { Evaluation } from "../policy/index.js";
import type { CheckResponse } from "./check-response.js";

/** The verified caller (CONTRACT.md §4). Anonymous callers: `{authenticated: false, methods: []}`. */
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

/** Time, injected so tests control it. */
export interface Clock {
  /** Wall-clock time, for timestamps. */
  now(): Date;
  /** Monotonic nanoseconds, for timers. */
  nowNs(): bigint;
}

/** The policy as the pipeline needs it: a revision and an evaluate function. */
export interface DecisionPolicy {
  readonly revision: string;
  /** Changes whenever the policy or its data does (cache keys use it). */
  readonly id: string;
  /** Evaluates serialized input; rejects (a deny) on an evaluation error or a passed deadline. */
  evaluate(inputJson: Uint8Array, decisionId: string): Promise<Evaluation>;
}

/** Everything one decision produced, for the decision log and metrics. */
export interface DecisionRecord {
  decisionId: string;
  timestamp: Date;
  input?: InputDocument;
  identity?: Identity;
  suspicious?: string[];
  revision?: string;
  result?: unknown;
  error?: AuthzError;
  allowed: boolean;
  dryRun: boolean;
  /** Whether the decision came from the cache. */
  cache?: CacheStatus;
  /** OPA-style timers: `timer_input_build_ns`, `timer_identity_ns`, `timer_eval_ns`, … */
  metrics: Record<string, number>;
}

/** What {@link Authorizer.check} returns. */
export interface CheckOutcome {
  allowed: boolean;
  response: CheckResponse;
  record: DecisionRecord;
}

/** The steps of the pipeline, each a plain function. `R` is the decoded request. */
export interface AuthzDeps<R> {
  toInput(request: R): Promise<InputDocument>;
  verifyIdentity(input: InputDocument): Promise<IdentityOutcome>;
  /** Why the caller's credential is revoked, or undefined. */
  revoked?(identity: Identity): string | undefined;
  /** The read-decision cache, when enabled. */
  cache?: Pick<DecisionCache, "decide">;
  /** The policy serving now, or undefined before the first one loads. */
  policy(): DecisionPolicy | undefined;
  serializeInput(input: InputDocument): Uint8Array;
  /** Called once per decision, after the response is final (decision log, metrics). */
  onDecision(record: DecisionRecord, response: CheckResponse): void;
  clock: Clock;
  newDecisionId?: () => string;
}

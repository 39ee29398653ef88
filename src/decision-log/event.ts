import type { CheckResponse, DecisionRecord } from "../authz/index.js";
import type { Masker } from "./masking.js";
import { requestContext } from "./request-context.js";

/**
 * One decision log event: OPA's decision log schema (`decision_id`, `trace_id`, `span_id`,
 * `req_id`, `timestamp`, `path`, `input`, `result` or `error`, `bundles`, `metrics`, `labels`,
 * `erased`, `masked`) plus `identity`, `cache`, `dry_run`, `allowed`, the policy's `reason` and
 * anything `suspicious` (docs/decision-log-fields.md compares it with OPA's, field by field).
 */
export interface DecisionEvent {
  decision_id: string;
  /** W3C trace id: the Check span's, else the request's `traceparent`'s. */
  trace_id?: string;
  /** W3C span id: the Check span's, else the caller's span (the `traceparent`'s parent id). */
  span_id?: string;
  /** Envoy's `x-request-id` (OPA's is a number counting the instance's requests). */
  req_id?: string;
  timestamp: string;
  path: string;
  input?: unknown;
  result?: unknown;
  error?: { code: string; message: string };
  /** The policy's or the failure's reason, for denials and errors. */
  reason?: string;
  bundles: Record<string, { revision: string }>;
  metrics: Record<string, number>;
  labels: Record<string, string>;
  identity: { subject?: string; methods: string[] };
  cache: "hit" | "miss" | "bypass";
  dry_run: boolean;
  /** Whether Envoy was told OK (a dry-run deny is answered OK). */
  allowed: boolean;
  /** Pointers of what masking removed. */
  erased: string[];
  /** Pointers of what masking replaced with `**REDACTED**`. */
  masked: string[];
  suspicious?: string[];
  /** The rate limits counted (issue 20): key, tier, outcome, remaining, who decided. */
  rate_limit?: Array<{
    key: string;
    tier: string;
    outcome: string;
    remaining: number;
    source: string;
    blocked_until?: string;
  }>;
}

/** What every event shares. */
export interface EventContext {
  /** The decision path. */
  path: string;
  /** `id` (this instance), `version` and `decisionLog.labels`. */
  labels: Record<string, string>;
  /** The operator's rules and the default secret names, compiled once (`createMasker`). */
  masks: Masker;
}

/**
 * Builds the event for a decision, masked. The record (and the cached result it may hold) is not
 * modified: the event shares whatever masking left unchanged with it, and edited copies of the
 * rest, so serialize it and drop it; never modify it.
 */
export function toDecisionEvent(
  record: DecisionRecord,
  response: CheckResponse,
  context: EventContext,
): DecisionEvent {
  const event: DecisionEvent = {
    decision_id: record.decisionId,
    ...requestContext(record),
    timestamp: record.timestamp.toISOString(),
    path: context.path,
    ...(record.input === undefined ? {} : { input: record.input }),
    ...(record.error
      ? {
          error: { code: record.error.code, message: record.error.message },
          reason: record.error.message,
        }
      : { result: record.result, ...reasonOf(record.result) }),
    bundles: record.revision === undefined ? {} : { authz: { revision: record.revision } },
    metrics: record.metrics,
    labels: context.labels,
    identity: {
      ...(record.identity?.subject ? { subject: record.identity.subject } : {}),
      methods: record.identity?.methods ?? [],
    },
    cache: record.cache ?? "bypass",
    dry_run: record.dryRun,
    allowed: response.status.code === 0,
    erased: [],
    masked: [],
    ...(record.suspicious ? { suspicious: record.suspicious } : {}),
    ...(record.rateLimits ? rateLimitOf(record.rateLimits) : {}),
  };
  const { erased, masked } = context.masks.apply(event as unknown as Record<string, unknown>);
  event.erased = erased;
  event.masked = masked;
  return event;
}

function reasonOf(result: unknown): { reason?: string } {
  const reason = (result as { reason?: unknown } | null)?.reason;
  return typeof reason === "string" ? { reason } : {};
}

const REFUSAL_REASONS: Record<string, string> = {
  limited: "rate_limited",
  blocked: "address_blocked",
  unavailable: "rate_limit_unavailable",
};

/** The rate limit verdicts as logged, and the reason of a refusal (`rate_limited`, …). */
function rateLimitOf(verdicts: NonNullable<DecisionRecord["rateLimits"]>) {
  const refused = verdicts.find((v) => v.outcome !== "allowed");
  return {
    rate_limit: verdicts.map((v) => ({
      key: v.key,
      tier: v.tier,
      outcome: v.outcome,
      remaining: v.remaining,
      source: v.source,
      ...(v.blockedUntil ? { blocked_until: v.blockedUntil } : {}),
    })),
    ...(refused ? { reason: REFUSAL_REASONS[refused.outcome] } : {}),
  };
}

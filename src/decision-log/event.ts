import type { CheckResponse, DecisionRecord } from "../authz/index.js";
import type { Masker } from "./masking.js";

/**
 * One decision log event: OPA's decision log schema (`decision_id`, `timestamp`, `path`,
 * `input`, `result` or `error`, `bundles`, `metrics`, `labels`) plus `identity`, `cache`,
 * `dry_run`, the policy's `reason`, what was `erased`, and anything `suspicious`.
 */
export interface DecisionEvent {
  decision_id: string;
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
  erased: string[];
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
  /** `id` (this instance) and `version`. */
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
    ...(record.suspicious ? { suspicious: record.suspicious } : {}),
    ...(record.rateLimits ? rateLimitOf(record.rateLimits) : {}),
  };
  event.erased = context.masks.apply(event as unknown as Record<string, unknown>);
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

import type { CheckResponse, DecisionRecord } from "../authz/index.js";

/** Headers erased from every logged input: credentials and identity assertions. */
export const ERASED_HEADERS = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-forwarded-client-cert",
] as const;
const ERASED_HEADER_PREFIXES = ["x-amzn-oidc-"];

/** One decision log event in OPA's decision log schema plus `identity`, `cache`, `dry_run`. */
export interface DecisionEvent {
  decision_id: string;
  timestamp: string;
  path: string;
  input?: unknown;
  result?: unknown;
  error?: { code: string; message: string };
  bundles: Record<string, { revision: string }>;
  metrics: Record<string, number>;
  labels: Record<string, string>;
  identity: { subject?: string; methods: string[] };
  cache: "hit" | "miss" | "bypass";
  dry_run: boolean;
  erased: string[];
  response_status: number;
  /** Things the identity step ignored as untrustworthy (e.g. a proxy header from a stranger). */
  suspicious?: string[];
}

/**
 * Builds the event for a decision, erasing credentials from the input (headers above, and the
 * raw request body, which may carry tokens). The record is not modified.
 */
export function toDecisionEvent(
  record: DecisionRecord,
  response: CheckResponse,
  context: { path: string; labels: Record<string, string> },
): DecisionEvent {
  const { input, erased } = maskInput(record.input);
  return {
    decision_id: record.decisionId,
    timestamp: record.timestamp.toISOString(),
    path: context.path,
    ...(input === undefined ? {} : { input }),
    ...(record.error
      ? { error: { code: record.error.code, message: record.error.message } }
      : { result: record.result }),
    bundles: record.revision === undefined ? {} : { authz: { revision: record.revision } },
    metrics: record.metrics,
    labels: context.labels,
    identity: { subject: record.identity?.subject, methods: record.identity?.methods ?? [] },
    cache: record.cache ?? "bypass",
    dry_run: record.dryRun,
    erased,
    response_status: response.status.code,
    ...(record.suspicious ? { suspicious: record.suspicious } : {}),
  };
}

function maskInput(input: DecisionRecord["input"]): { input: unknown; erased: string[] } {
  if (input === undefined) return { input, erased: [] };
  const attributes = input.attributes as
    | { request?: { http?: Record<string, unknown> } }
    | undefined;
  const http = attributes?.request?.http;
  if (!http) return { input, erased: [] };
  const erased: string[] = [];
  const headers = { ...((http.headers ?? {}) as Record<string, string>) };
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (
      (ERASED_HEADERS as readonly string[]).includes(lower) ||
      ERASED_HEADER_PREFIXES.some((p) => lower.startsWith(p))
    ) {
      delete headers[name];
      erased.push(`/input/attributes/request/http/headers/${name}`);
    }
  }
  const maskedHttp: Record<string, unknown> = { ...http, headers };
  if ("rawBody" in maskedHttp) {
    delete maskedHttp.rawBody;
    erased.push("/input/attributes/request/http/rawBody");
  }
  const request = { ...attributes?.request, http: maskedHttp };
  return { input: { ...input, attributes: { ...attributes, request } }, erased };
}

/**
 * What the decision log never shows. Pointers are RFC 6901 into the event (`/input/...`, OPA's
 * decision-log masking style). Erased values are removed; masked values are replaced.
 */
export interface MaskRules {
  /** Removed from the event. */
  erase: string[];
  /** Replaced with {@link MASKED}. */
  mask: string[];
}

export const MASKED = "**REDACTED**";

const HEADERS = "/input/attributes/request/http/headers";

/** Credentials and identity assertions, and the raw request body, which may carry either. */
export const DEFAULT_ERASE = [
  ...[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-forwarded-client-cert",
  ].map((h) => `${HEADERS}/${h}`),
  "/input/attributes/request/http/body",
  "/input/attributes/request/http/rawBody",
  "/input/attributes/source/certificate",
];

/** Header name prefixes erased whatever follows (AWS ALB's `x-amzn-oidc-data`, `-identity`, `-accesstoken`). */
export const ERASED_HEADER_PREFIXES = ["x-amzn-oidc-"];

type Json = Record<string, unknown>;

/**
 * Applies the rules to an event in place: it must be a fresh copy of anything shared. Returns the
 * pointers that were erased or masked (only those present), for the event's `erased` field.
 */
export function applyMasks(event: Json, rules: MaskRules): string[] {
  const applied: string[] = [];
  for (const pointer of rules.erase) if (edit(event, pointer, undefined)) applied.push(pointer);
  for (const pointer of rules.mask) if (edit(event, pointer, MASKED)) applied.push(pointer);
  const headers = resolve(event, HEADERS);
  if (headers) {
    for (const name of Object.keys(headers)) {
      if (ERASED_HEADER_PREFIXES.some((prefix) => name.toLowerCase().startsWith(prefix))) {
        delete headers[name];
        applied.push(`${HEADERS}/${name}`);
      }
    }
  }
  return applied;
}

function tokens(pointer: string): string[] {
  return pointer
    .split("/")
    .slice(1)
    .map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function walk(root: Json, path: string[]): Json | undefined {
  let node: unknown = root;
  for (const token of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Json)[token];
  }
  return typeof node === "object" && node !== null ? (node as Json) : undefined;
}

const resolve = (root: Json, pointer: string) => walk(root, tokens(pointer));

/** Erases (`replacement` undefined) or replaces the value at `pointer`; true if it was there. */
function edit(root: Json, pointer: string, replacement: string | undefined): boolean {
  const path = tokens(pointer);
  const last = path.pop();
  const container = walk(root, path);
  if (!container || last === undefined || !(last in container)) return false;
  if (replacement === undefined) delete container[last];
  else container[last] = replacement;
  return true;
}

import { assign, type MaskedPaths, maskTree, shallowCopy } from "./mask-walk.js";
import { compileNames, DEFAULT_SECRET_NAMES, DEFAULT_SECRET_QUERY_NAMES } from "./secret-names.js";

/**
 * What the decision log never shows. Pointers are RFC 6901 into the event (`/input/...`, OPA's
 * decision-log masking style). Erased values are removed; masked values are replaced. On top of
 * the pointers, every name in {@link DEFAULT_SECRET_NAMES} (and `secretNames`) is masked wherever
 * it appears (docs/decision-log-masking.md).
 */
export interface MaskRules {
  /** Removed from the event. */
  erase: string[];
  /** Replaced with {@link MASKED}. */
  mask: string[];
  /** Name patterns masked on top of the defaults (`x-my-key`, `*pin`, `x-corp-*`). Default none. */
  secretNames?: string[];
}

export const MASKED = "**REDACTED**";

/** Masks one event; build it once per process with {@link createMasker}. */
export interface Masker {
  /**
   * Masks an event whose top-level object is fresh but whose members (`input`, `result`) may be
   * shared with the cache or the pipeline: those are never modified, only replaced by edited
   * shallow copies where something changes. Returns the pointers erased and those masked (only
   * those present), for the event's `erased` and `masked` fields (OPA's); it names places, never
   * values.
   */
  apply(event: Record<string, unknown>): MaskedPaths;
}

/** Values that no name gives away: the raw body (parsed into `parsed_body`) and the peer's certificate. */
export const DEFAULT_ERASE = [
  "/input/attributes/request/http/body",
  "/input/attributes/request/http/rawBody",
  "/input/attributes/source/certificate",
];

type Json = Record<string, unknown>;

const FORM = "application/x-www-form-urlencoded";

/**
 * Compiles the rules. Throws TypeError for a secret name that is not a pattern (the config
 * schema refuses those first).
 */
export function createMasker(rules: MaskRules): Masker {
  const extra = rules.secretNames ?? [];
  const isSecret = compileNames([...DEFAULT_SECRET_NAMES, ...extra]);
  const isSecretParam = compileNames([
    ...DEFAULT_SECRET_NAMES,
    ...DEFAULT_SECRET_QUERY_NAMES,
    ...extra,
  ]);
  const erase = rules.erase.map(tokens);
  const mask = rules.mask.map(tokens);
  return {
    apply(event) {
      const owned = new Set<object>([event]);
      const erased: string[] = [];
      const masked: string[] = [];
      erase.forEach((path, i) => {
        if (edit(event, path, undefined, owned)) erased.push(rules.erase[i] as string);
      });
      mask.forEach((path, i) => {
        if (edit(event, path, MASKED, owned)) masked.push(rules.mask[i] as string);
      });
      const input = asObject(event.input);
      const http = asObject(asObject(asObject(input?.attributes)?.request)?.http);
      const headers = asObject(http?.headers);
      const type = headers?.["content-type"];
      const form = typeof type === "string" && type.includes(FORM) ? input?.parsed_body : undefined;
      const plan = { isSecret, isSecretParam, masked: MASKED, owned, http, headers, form };
      const walked = maskTree(event, STARTS, { ...plan, query: input?.parsed_query });
      erased.push(...walked.erased);
      masked.push(...walked.masked);
      return { erased, masked };
    },
  };
}

const STARTS = ["input", "result"] as const;

function asObject(value: unknown): Json | undefined {
  return typeof value === "object" && value !== null ? (value as Json) : undefined;
}

function tokens(pointer: string): string[] {
  return pointer
    .split("/")
    .slice(1)
    .map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/**
 * Erases (`replacement` undefined) or replaces the value at `pointer`, copying every container
 * on the way that this event does not own yet; true if it was there.
 */
function edit(
  root: Json,
  pointer: readonly string[],
  replacement: string | undefined,
  owned: Set<object>,
) {
  const path = pointer.slice(0, -1);
  const last = pointer[pointer.length - 1] as string;
  let node: unknown = root;
  for (const token of path) {
    const object = asObject(node);
    node = object && Object.hasOwn(object, token) ? object[token] : undefined;
  }
  const container = asObject(node);
  if (!container || !Object.hasOwn(container, last)) return false;
  let at = root;
  for (const token of path) {
    let child = at[token] as Json;
    if (!owned.has(child)) {
      child = Array.isArray(child) ? (child.slice() as unknown as Json) : shallowCopy(child);
      owned.add(child);
      assign(at, token, child);
    }
    at = child;
  }
  if (replacement === undefined) delete at[last];
  else assign(at, last, replacement);
  return true;
}

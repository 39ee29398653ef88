import { maskQuery, maskUrl } from "./mask-query.js";
import type { NameTest } from "./secret-names.js";

type Container = Record<string, unknown> | unknown[];

/** Where in the tree names mean what: resolved per event by the caller. */
export interface WalkPlan {
  /** Secret names (headers, body fields, pairs). */
  isSecret: NameTest;
  /** Secret query parameter names (a superset of {@link isSecret}). */
  isSecretParam: NameTest;
  /** The replacement for masked values. */
  masked: string;
  /** The map whose secret keys are erased, not masked: the request's `headers`. */
  headers: unknown;
  /** Maps whose keys are query parameters: `parsed_query`, and `parsed_body` of a form. */
  query: unknown;
  form: unknown;
  /** The `http` request object, whose `query` and `fragment` are query strings. */
  http: unknown;
  /** Containers already copied for this event (edited in place; others are copied first). */
  owned: Set<object>;
}

interface Frame {
  source: Container;
  copy: Container | undefined;
  parent: Frame | undefined;
  key: string;
}

/** RFC 6901 pointers of what was removed (`erased`) and what was replaced (`masked`). */
export interface MaskedPaths {
  erased: string[];
  masked: string[];
}

interface Walk extends WalkPlan {
  done: MaskedPaths;
  stack: Frame[];
}

/**
 * Masks secrets under `root[start]` for each start key, copy-on-write: a container is copied
 * (shallowly, once) only when something in it changes, so shared values such as a cached result
 * are never modified. Walks with an explicit stack: any depth, no recursion. Returns the RFC 6901
 * pointers of what it erased and of what it masked.
 */
export function maskTree(
  root: Record<string, unknown>,
  starts: readonly string[],
  plan: WalkPlan,
): MaskedPaths {
  const walk: Walk = {
    isSecret: plan.isSecret,
    isSecretParam: plan.isSecretParam,
    masked: plan.masked,
    headers: plan.headers,
    query: plan.query,
    form: plan.form,
    http: plan.http,
    owned: plan.owned,
    done: { erased: [], masked: [] },
    stack: [],
  };
  const top: Frame = { source: root, copy: root, parent: undefined, key: "" };
  for (const key of starts)
    if (isContainer(root[key])) walk.stack.push(frame(root[key], top, key, plan));
  for (let at = walk.stack.pop(); at !== undefined; at = walk.stack.pop()) {
    const node = at.source;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) visit(walk, at, String(i), node[i]);
      continue;
    }
    const paired = maskPair(walk, at, node);
    const erasing = node === plan.headers;
    const isSecret = node === plan.query || node === plan.form ? plan.isSecretParam : plan.isSecret;
    for (const key of Object.keys(node)) {
      if (paired && (key === "rawValue" || (key === "value" && paired === "value+raw"))) continue;
      const value = node[key];
      if (isSecret(key)) {
        if (erasing) erase(walk, at, key);
        else {
          const replaced = maskValue(value, plan.masked);
          if (replaced !== value) replace(walk, at, key, replaced);
        }
      } else if (node === plan.http && (key === "query" || key === "fragment")) {
        const replaced =
          typeof value === "string" ? maskQuery(value, plan.isSecretParam, plan.masked) : undefined;
        if (replaced !== undefined) replace(walk, at, key, replaced);
      } else visit(walk, at, key, value);
    }
  }
  return walk.done;
}

/** A member that is not a secret by name: a string may still hold a URL with a secret query. */
function visit(walk: Walk, parent: Frame, key: string, value: unknown): void {
  if (typeof value === "string") {
    const replaced = mayHoldQuery(value)
      ? maskUrl(value, walk.isSecretParam, walk.masked)
      : undefined;
    if (replaced !== undefined) replace(walk, parent, key, replaced);
  } else if (isContainer(value)) walk.stack.push(frame(value, parent, key, walk));
}

function replace(walk: Walk, at: Frame, key: string, value: unknown): void {
  assign(own(at, walk.owned), key, value);
  walk.done.masked.push(pointer(at, key));
}

function erase(walk: Walk, at: Frame, key: string): void {
  delete (own(at, walk.owned) as Record<string, unknown>)[key];
  walk.done.erased.push(pointer(at, key));
}

/**
 * A `{key|name, value|rawValue}` pair (Envoy's `header_map` entries, HAR headers, Kubernetes env
 * vars): a secret name masks `value` and erases `rawValue` (base64 bytes cannot hold the marker);
 * otherwise a `rawValue` that decodes to a URL has its query masked. Returns the members it
 * handled, which the caller must not walk again.
 */
function maskPair(
  walk: Walk,
  at: Frame,
  node: Record<string, unknown>,
): "value+raw" | "raw" | undefined {
  const name = typeof node.key === "string" ? node.key : node.name;
  if (typeof name !== "string" || !("value" in node || "rawValue" in node)) return undefined;
  if (walk.isSecret(name)) {
    if ("value" in node) {
      const replaced = maskValue(node.value, walk.masked);
      if (replaced !== node.value) replace(walk, at, "value", replaced);
    }
    if ("rawValue" in node) erase(walk, at, "rawValue");
    return "value+raw";
  }
  if (typeof node.rawValue !== "string") return undefined;
  const decoded = Buffer.from(node.rawValue, "base64").toString("utf8");
  const replaced = mayHoldQuery(decoded)
    ? maskUrl(decoded, walk.isSecretParam, walk.masked)
    : undefined;
  if (replaced !== undefined)
    replace(walk, at, "rawValue", Buffer.from(replaced, "utf8").toString("base64"));
  return "raw";
}

/** Strings, numbers and containers become the marker (arrays element by element, keeping their length); null, booleans and "" stay. */
function maskValue(value: unknown, masked: string): unknown {
  if (value === null || value === "" || typeof value === "boolean") return value;
  if (!Array.isArray(value)) return masked;
  let out: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    const replaced = Array.isArray(item) ? masked : maskValue(item, masked);
    if (replaced === item) continue;
    out ??= value.slice();
    out[i] = replaced;
  }
  return out ?? value;
}

const mayHoldQuery = (text: string) =>
  text.includes("=") && (text.includes("?") || text.includes("#"));

/** Plain objects and arrays; class instances (LosslessNumber) are leaves. */
function isContainer(value: unknown): value is Container {
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function frame(source: unknown, parent: Frame, key: string, plan: WalkPlan): Frame {
  const container = source as Container;
  return {
    source: container,
    copy: plan.owned.has(container) ? container : undefined,
    parent,
    key,
  };
}

/** The frame's own copy, copying it and every not-yet-copied ancestor (top-down) first. */
function own(frame: Frame, owned: Set<object>): Container {
  if (frame.copy) return frame.copy;
  const chain: Frame[] = [];
  for (let f: Frame | undefined = frame; f && !f.copy; f = f.parent) chain.push(f);
  for (let i = chain.length - 1; i >= 0; i--) {
    const f = chain[i] as Frame;
    const copy = Array.isArray(f.source) ? f.source.slice() : shallowCopy(f.source);
    owned.add(copy);
    f.copy = copy;
    assign(f.parent?.copy as Container, f.key, copy);
  }
  return frame.copy as unknown as Container;
}

/**
 * A shallow copy. A loop, not a spread: header maps are dictionary-mode objects, which V8 spreads
 * several times slower; {@link assign} keeps an own `__proto__` member a member.
 */
export function shallowCopy(source: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(source)) assign(copy, key, source[key]);
  return copy;
}

/** `container[key] = value`, where a `__proto__` key is a member, never the prototype. */
export function assign(container: Container, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(container, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else (container as Record<string, unknown>)[key] = value;
}

function pointer(frame: Frame, key: string): string {
  const tokens = [escapeToken(key)];
  for (let f: Frame | undefined = frame; f?.parent; f = f.parent) tokens.push(escapeToken(f.key));
  return `/${tokens.reverse().join("/")}`;
}

const escapeToken = (token: string) =>
  token.includes("~") || token.includes("/")
    ? token.replaceAll("~", "~0").replaceAll("/", "~1")
    : token;

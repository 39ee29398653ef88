import { hash } from "node:crypto";
import { stringifyJson } from "../input/index.js";

/**
 * Input fields that differ on every request without changing what a policy should decide:
 * request ids, timestamps, trace context, the client's ephemeral port. JSON pointers into the
 * input document; `cache.ignore` replaces this list.
 */
export const DEFAULT_IGNORED_PATHS = [
  "/attributes/request/http/id",
  "/attributes/request/time",
  "/attributes/source/address/socketAddress/portValue",
  ...[
    "x-request-id",
    "traceparent",
    "tracestate",
    "b3",
    "x-b3-traceid",
    "x-b3-spanid",
    "x-b3-parentspanid",
    "x-b3-sampled",
    "x-b3-flags",
    "x-amzn-trace-id",
    "x-cloud-trace-context",
    "x-datadog-trace-id",
    "x-datadog-parent-id",
    "x-envoy-expected-rq-timeout-ms",
  ].map((header) => `/attributes/request/http/headers/${header}`),
];

/** A document the cache keys: the policy's input, read and never changed. */
export type KeyedDocument = Readonly<Record<string, unknown>>;

/**
 * Returns the cache key function: SHA-256 of the input document's JSON without the ignored
 * paths, prefixed by the policy's id (a digest of its module and data). Everything else the
 * policy can read — headers, path, body, identity — is in the key. The document's maps are
 * key-sorted when it is built, so its JSON is canonical (a JSON body keeps its own key order:
 * reordered bodies only miss the cache).
 */
export function createCacheKey(
  ignoredPaths: string[],
): (input: KeyedDocument, policyId: string) => string {
  const ignored = toTrie(ignoredPaths.map(parsePointer));
  return (input, policyId) =>
    `${policyId}:${hash("sha256", stringifyJson(without(input, ignored)), "base64url")}`;
}

/** RFC 6901 JSON pointer to its reference tokens. */
function parsePointer(pointer: string): string[] {
  return pointer
    .split("/")
    .slice(1)
    .map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/**
 * Ignored paths as a tree: a key paired with `true` is hidden, with a subtree is descended. Arrays,
 * not Maps, so walking it per check allocates nothing.
 */
type Trie = ReadonlyArray<readonly [string, Trie | true]>;

function toTrie(paths: string[][]): Trie {
  type Node = Map<string, Node | true>;
  const root: Node = new Map();
  for (const path of paths) {
    let node = root;
    for (const [i, token] of path.entries()) {
      const next = node.get(token);
      if (next === true) break; // an ancestor is hidden whole already
      if (i === path.length - 1) {
        node.set(token, true);
        break;
      }
      const child: Node = next ?? new Map();
      node.set(token, child);
      node = child;
    }
  }
  const freeze = (node: Node): Trie =>
    [...node].map(([key, rest]) => [key, rest === true ? true : freeze(rest)] as const);
  return freeze(root);
}

/**
 * `document` without the ignored paths: the containers on a path that hides something are copied
 * (shallowly, keys in their order) and the rest is shared, so the document itself is not touched.
 */
function without(document: KeyedDocument, ignored: Trie): KeyedDocument {
  let copy: Record<string, unknown> | undefined;
  for (const [key, rest] of ignored) {
    if (!Object.hasOwn(document, key)) continue;
    const value = document[key];
    if (rest === true) {
      copy ??= { ...document };
      copy[key] = undefined; // JSON leaves it out
    } else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      const inner = without(value as KeyedDocument, rest);
      if (inner !== value) {
        copy ??= { ...document };
        copy[key] = inner;
      }
    }
  }
  return copy ?? document;
}

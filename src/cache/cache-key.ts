import { createHash } from "node:crypto";
import { type InputDocument, stringifyJson } from "../input/index.js";

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

/**
 * Returns the cache key function: SHA-256 of the input document's JSON without the ignored
 * paths, prefixed by the policy revision. Everything else the policy can read — headers, path,
 * body, identity — is in the key. The document's maps are key-sorted when it is built, so its
 * JSON is canonical (a JSON body keeps its own key order: reordered bodies only miss the cache).
 */
export function createCacheKey(
  ignoredPaths: string[],
): (input: InputDocument, revision: string) => string {
  const ignored = toTrie(ignoredPaths.map(parsePointer));
  return (input, revision) => {
    const digest = createHash("sha256")
      .update(stringifyJson(without(input, ignored)))
      .digest("base64url");
    return `${revision}:${digest}`;
  };
}

/** RFC 6901 JSON pointer to its reference tokens. */
function parsePointer(pointer: string): string[] {
  return pointer
    .split("/")
    .slice(1)
    .map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** Ignored paths as a tree: a key mapping to `true` is removed, to a subtree is descended. */
type Trie = Map<string, Trie | true>;

function toTrie(paths: string[][]): Trie {
  const root: Trie = new Map();
  for (const path of paths) {
    let node = root;
    path.forEach((token, i) => {
      if (i === path.length - 1) node.set(token, true);
      else {
        const next = node.get(token);
        if (next === true) return;
        const child: Trie = next ?? new Map();
        node.set(token, child);
        node = child;
      }
    });
  }
  return root;
}

/**
 * A copy of `document` without the ignored paths, copying only the containers along them. A
 * removed key is set to `undefined`, which JSON leaves out (cheaper than `delete`).
 */
function without(document: InputDocument, ignored: Trie): InputDocument {
  let copy: { [key: string]: InputDocument[string] | undefined } | undefined;
  for (const [key, rest] of ignored) {
    if (!(key in document)) continue;
    copy ??= { ...document };
    if (rest === true) copy[key] = undefined;
    else {
      const child = copy[key];
      if (typeof child === "object" && child !== null && !Array.isArray(child)) {
        copy[key] = without(child as InputDocument, rest) as InputDocument[string];
      }
    }
  }
  return (copy as InputDocument | undefined) ?? document;
}

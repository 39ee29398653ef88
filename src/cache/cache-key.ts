import { createHash } from "node:crypto";
import { configure } from "safe-stable-stringify";
import type { InputDocument } from "../input/index.js";

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

const stableStringify = configure({ bigint: true, deterministic: true });

/**
 * Returns the cache key function: SHA-256 of the canonical (key-sorted) input document without
 * the ignored paths, prefixed by the policy revision. Everything else the policy can read —
 * headers, path, body, identity — is in the key.
 */
export function createCacheKey(
  ignoredPaths: string[],
): (input: InputDocument, revision: string) => string {
  const paths = ignoredPaths.map(parsePointer);
  return (input, revision) => {
    const material = paths.reduce<InputDocument>(
      (document, path) => without(document, path),
      input,
    );
    const digest = createHash("sha256")
      .update(stableStringify(material) ?? "")
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

/** A copy of `document` without `path`, copying only the containers along the path. */
function without(document: InputDocument, path: string[]): InputDocument {
  const [head, ...rest] = path;
  if (
    head === undefined ||
    typeof document !== "object" ||
    document === null ||
    !(head in document)
  )
    return document;
  const copy: InputDocument = { ...document };
  if (rest.length === 0) delete copy[head];
  else copy[head] = without(copy[head] as InputDocument, rest) as InputDocument[string];
  return copy;
}

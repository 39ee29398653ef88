import { isLosslessNumber } from "lossless-json";
import type { JsonValue } from "./json-value.js";

/**
 * `input.mcp`: the JSON-RPC 2.0 calls an MCP request carries (docs/contract.md §2), read from
 * Envoy's MCP filter dynamic metadata when the CheckRequest has it, else from the parsed body.
 */

type JsonObject = { [key: string]: JsonValue };

/**
 * The dynamic metadata namespace of Envoy's MCP filter (Envoy ≥ 1.37, docs
 * `config_http_filters_mcp_dynamic_metadata`): `jsonrpc`, `method`, `id`, the `params` members
 * it extracted (`params.name` for `tools/call`), `is_mcp_request`, and `is_exceeding_limit` when it
 * read only the first `max_request_body_size` bytes. Envoy's ext_authz filter forwards it in
 * `metadata_context.filter_metadata` when listed in `metadata_context_namespaces`.
 */
export const MCP_METADATA_NAMESPACE = "envoy.filters.http.mcp";

/** The method Envoy's MCP filter gives a JSON-RPC response (a message with `result` or `error`). */
export const JSONRPC_RESPONSE_METHOD = "__jsonrpc_response";

/** A body on an MCP path that is not JSON-RPC 2.0, or one that Envoy's MCP filter read otherwise. */
export class McpParseError extends Error {
  override readonly name = "McpParseError";
}

/** Options resolved from `policy.mcp`. */
export interface McpOptions {
  /**
   * Path patterns of MCP endpoints (`*` one non-empty segment, a trailing `**` any rest, as the
   * shipped policy's routes): a request body there that is not JSON-RPC 2.0 is refused.
   */
  paths: readonly string[];
}

/** What `input.mcp` is built from: parts of the input document. */
export interface McpSource {
  /** `attributes.metadataContext.filterMetadata["envoy.filters.http.mcp"]`, if any. */
  metadata: JsonValue | undefined;
  /** `parsed_body`: null or undefined when there is none. */
  body: JsonValue | undefined;
  parsedPath: readonly string[];
}

/**
 * `input.mcp`, or undefined when the request is not JSON-RPC. Envoy's metadata wins; when the
 * body reached the sidecar as well, it must be the same call (method, id, tool name), and its
 * complete `params` replace Envoy's extract (which leaves out arrays and, by default, the tool's
 * arguments). On an MCP path, a body or metadata that is not JSON-RPC 2.0 throws
 * {@link McpParseError}; elsewhere such a request simply has no `input.mcp`.
 */
export function toMcpInput(source: McpSource, options: McpOptions): JsonObject | undefined {
  const strict = options.paths.some((pattern) => pathMatches(pattern, source.parsedPath));
  const hasBody = source.body !== undefined && source.body !== null;
  const envoy = readEnvoyMetadata(source.metadata, strict);
  if (envoy) {
    if (!hasBody) return mcpDocument(MCP_METADATA_NAMESPACE, [envoy], false);
    const body = parseMessages(source.body as JsonValue);
    if (Array.isArray(source.body) || !sameCall(envoy, body[0] as JsonObject)) {
      throw new McpParseError("the body is not the JSON-RPC request Envoy's MCP filter read");
    }
    return mcpDocument(MCP_METADATA_NAMESPACE, body, false);
  }
  if (!hasBody) return undefined;
  try {
    const requests = parseMessages(source.body as JsonValue);
    return mcpDocument("body", requests, Array.isArray(source.body));
  } catch (error) {
    if (strict) throw error;
    return undefined;
  }
}

/** Envoy's reading of the request; undefined when it has none or (off MCP paths) a bad one. */
function readEnvoyMetadata(metadata: JsonValue | undefined, strict: boolean) {
  if (!isObject(metadata) || !Object.hasOwn(metadata, "method")) return undefined;
  if (metadata.is_mcp_request === false && !strict) return undefined;
  // A partial read may have cut the arguments short: they are not known then.
  const reader = metadata.is_exceeding_limit === true ? "envoy-partial" : "envoy";
  try {
    return parseMessage(metadata, "", reader);
  } catch (error) {
    if (strict) throw error;
    return undefined;
  }
}

function mcpDocument(source: string, requests: JsonObject[], batch: boolean): JsonObject {
  const document: JsonObject = { source, batch, requests };
  return batch ? document : { ...document, ...(requests[0] as JsonObject) };
}

/** One request, or a batch (JSON-RPC 2.0 §6): a non-empty array of them. */
function parseMessages(body: JsonValue): JsonObject[] {
  if (!Array.isArray(body)) return [parseMessage(body, "", "body")];
  if (body.length === 0) fail("", "an empty batch");
  return body.map((message, i) => parseMessage(message, `request ${i + 1}: `, "body"));
}

/**
 * Who read the message: a body holds the whole call (a `tools/call` without arguments has none,
 * `{}`); Envoy's extract holds `params.arguments` only when configured to extract it, so absent
 * arguments are unknown, and after a partial read (`is_exceeding_limit`) none are known.
 */
type Reader = "body" | "envoy" | "envoy-partial";

/**
 * A JSON-RPC 2.0 request or notification (§4), or a response (§5, as Envoy names it
 * {@link JSONRPC_RESPONSE_METHOD}). MCP's own rules on top: `params` is an object, and
 * `tools/call` names its tool in `params.name` with `params.arguments` an object.
 */
function parseMessage(value: JsonValue, where: string, reader: Reader): JsonObject {
  if (!isObject(value)) fail(where, "must be an object");
  if (value.jsonrpc !== "2.0") fail(where, 'jsonrpc must be "2.0"');
  const hasId = Object.hasOwn(value, "id");
  if (hasId && !isId(value.id)) fail(where, "id must be a string or a number");
  if (!Object.hasOwn(value, "method") && hasId && isResponse(value)) {
    return { method: JSONRPC_RESPONSE_METHOD, id: value.id as JsonValue };
  }
  if (typeof value.method !== "string" || value.method === "") {
    fail(where, "method must be a non-empty string");
  }
  const request: JsonObject = { method: value.method };
  if (hasId) request.id = value.id as JsonValue;
  if (Object.hasOwn(value, "params")) {
    if (!isObject(value.params)) fail(where, "params must be an object");
    request.params = value.params;
  }
  if (value.method === "tools/call") request.tool = toolCall(value.params, where, reader);
  return request;
}

function toolCall(params: JsonValue | undefined, where: string, reader: Reader): JsonObject {
  if (!isObject(params) || typeof params.name !== "string" || params.name === "") {
    fail(where, "tools/call needs params.name, a non-empty string");
  }
  const present = Object.hasOwn(params, "arguments");
  if (present && !isObject(params.arguments)) fail(where, "params.arguments must be an object");
  if (reader === "envoy-partial" || (!present && reader === "envoy")) return { name: params.name };
  return { name: params.name, arguments: present ? (params.arguments as JsonValue) : {} };
}

/** Exactly one of `result` and `error` (JSON-RPC 2.0 §5). */
function isResponse(value: JsonObject): boolean {
  return Object.hasOwn(value, "result") !== Object.hasOwn(value, "error");
}

/** Method, id and tool name agree (Envoy writes every number as a double). */
function sameCall(envoy: JsonObject, body: JsonObject): boolean {
  const tool = (request: JsonObject) => (request.tool as JsonObject | undefined)?.name;
  return (
    envoy.method === body.method &&
    tool(envoy) === tool(body) &&
    Object.hasOwn(envoy, "id") === Object.hasOwn(body, "id") &&
    idKey(envoy.id) === idKey(body.id)
  );
}

function idKey(id: JsonValue | undefined): string {
  if (typeof id === "string") return `s:${id}`;
  return id === undefined ? "" : `n:${Number(id)}`;
}

function isId(value: JsonValue | undefined): boolean {
  if (typeof value === "string") return true;
  return (typeof value === "number" && Number.isFinite(value)) || isLosslessNumber(value);
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !isLosslessNumber(value)
  );
}

function fail(where: string, problem: string): never {
  throw new McpParseError(`invalid JSON-RPC 2.0 request: ${where}${problem}`);
}

/** Patterns split once (they come from the config: a handful), not on every request. */
const splitPatterns = new Map<string, { fixed: string[]; rest: boolean }>();

function split(pattern: string): { fixed: string[]; rest: boolean } {
  let found = splitPatterns.get(pattern);
  if (!found) {
    const parts = pattern.replace(/^\/+/, "").split("/");
    const rest = parts[parts.length - 1] === "**";
    found = { fixed: rest ? parts.slice(0, -1) : parts, rest };
    splitPatterns.set(pattern, found);
  }
  return found;
}

/** A path pattern against `parsed_path`: `*` one non-empty segment, a trailing `**` any rest. */
export function pathMatches(pattern: string, segments: readonly string[]): boolean {
  const { fixed, rest } = split(pattern);
  if (rest ? segments.length < fixed.length : segments.length !== fixed.length) return false;
  return fixed.every((part, i) => (part === "*" ? segments[i] !== "" : part === segments[i]));
}

import type { Message, Type } from "protobufjs";
import { AuthzError } from "../errors.js";
import type { JsonLimits, JsonValue } from "./json-value.js";
import { MCP_METADATA_NAMESPACE, type McpOptions, toMcpInput } from "./mcp-request.js";
import { protoDocument } from "./proto-document.js";
import { parseBody } from "./request-body.js";
import { parsePathAndQuery } from "./request-path.js";

/** The document a policy sees as `input`, less `identity` (added by the pipeline). */
export type InputDocument = { [key: string]: JsonValue };

/** An input document as built, and the credential headers left out of it. */
export interface BuiltInput {
  document: InputDocument;
  /** The {@link InputOptions.credentialHeaders} the request carried, by name. */
  credentials: Record<string, string>;
}

/** Options for {@link toInput}. */
export interface InputOptions {
  /**
   * Headers that carry credentials (the bearer token, the proxy identity header, lower-case):
   * taken out of the document and returned apart, so the policy never sees a raw token.
   */
  credentialHeaders: readonly string[];
  /** Leave out `parsed_body` and `truncated_body` (opa-envoy-plugin's skip-request-body-parse). */
  skipRequestBodyParse: boolean;
  /** Bounds on JSON bodies and JSON multipart parts; past them the request is refused. */
  bodyLimits: JsonLimits;
  /** Where JSON-RPC must be well formed (`policy.mcp`); `input.mcp` is built on every path. */
  mcp: McpOptions;
}

const VERSION = { ext_authz: "v3", encoding: "protojson" } as const;

/**
 * Builds the input document from a decoded `envoy.service.auth.v3.CheckRequest`, as
 * opa-envoy-plugin v1.19.1-envoy does (docs/contract.md §2), less the credential headers, plus
 * `mcp` for a JSON-RPC request (ours: {@link toMcpInput}). Nothing changes the document once it
 * is returned. Throws `AuthzError("request_parse_error")` with the parser's message when the
 * path, query or body cannot be parsed, or an MCP path's body is not JSON-RPC 2.0.
 */
export async function toInput(
  checkRequestType: Type,
  request: Message,
  options: InputOptions,
): Promise<BuiltInput> {
  const input: InputDocument = protoDocument(checkRequestType, request);
  const attributes = input.attributes as { [key: string]: JsonValue } | undefined;
  const http = httpRequest(attributes);
  const credentials = http ? takeCredentials(http, options.credentialHeaders) : {};
  input.version = { ...VERSION };
  try {
    const { parsedPath, parsedQuery } = parsePathAndQuery(stringField(http, "path"));
    input.parsed_path = parsedPath;
    input.parsed_query = parsedQuery;
    if (!options.skipRequestBodyParse) {
      const body = await parseBody({
        headers: (http?.headers ?? {}) as Record<string, string>,
        body: stringField(http, "body"),
        rawBody: rawBody(request),
        limits: options.bodyLimits,
      });
      input.parsed_body = body.parsedBody;
      input.truncated_body = body.truncated;
    }
    const mcp = toMcpInput(
      { metadata: mcpMetadata(attributes), body: input.parsed_body, parsedPath },
      options.mcp,
    );
    if (mcp) input.mcp = mcp;
  } catch (error) {
    throw new AuthzError("request_parse_error", (error as Error).message, { cause: error });
  }
  const principal = (attributes?.source as { principal?: string } | undefined)?.principal;
  if (principal) input.source_principal = principal;
  return { document: input, credentials };
}

/** The Check step that builds input documents: {@link toInput} with its type and options. */
export function createInputBuilder(checkRequestType: Type, options: InputOptions) {
  return { build: (request: Message) => toInput(checkRequestType, request, options) };
}

/**
 * Replaces `http.headers` with a copy that lacks the credential headers and returns those. A new
 * object, not `delete`: V8 turns an object that loses a property into a slower dictionary.
 */
function takeCredentials(
  http: { [key: string]: JsonValue },
  names: readonly string[],
): Record<string, string> {
  const credentials: Record<string, string> = {};
  const headers = http.headers as Record<string, string> | undefined;
  if (!headers || !names.some((name) => Object.hasOwn(headers, name))) return credentials;
  const kept: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name] as string;
    if (names.includes(name)) credentials[name] = value;
    else kept[name] = value;
  }
  http.headers = kept;
  return credentials;
}

function httpRequest(attributes: { [key: string]: JsonValue } | undefined) {
  const request = attributes?.request as { [key: string]: JsonValue } | undefined;
  return request?.http as { [key: string]: JsonValue } | undefined;
}

/** Envoy's MCP filter metadata, as ext_authz forwards it (`metadata_context_namespaces`). */
function mcpMetadata(attributes: { [key: string]: JsonValue } | undefined): JsonValue | undefined {
  const context = attributes?.metadataContext as { [key: string]: JsonValue } | undefined;
  const filters = context?.filterMetadata as { [key: string]: JsonValue } | undefined;
  return filters?.[MCP_METADATA_NAMESPACE];
}

function stringField(http: { [key: string]: JsonValue } | undefined, name: string): string {
  const value = http?.[name];
  return typeof value === "string" ? value : "";
}

/**
 * `raw_body` as bytes: the document holds it base64-encoded, the decoded message as bytes. An
 * absent field reads as protobufjs's default, a plain empty array.
 */
function rawBody(request: Message): Uint8Array {
  const http = (
    request as unknown as { attributes?: { request?: { http?: { rawBody?: unknown } } } }
  ).attributes?.request?.http;
  return http?.rawBody instanceof Uint8Array ? http.rawBody : new Uint8Array();
}

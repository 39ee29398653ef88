import type { Message, Type } from "protobufjs";
import { AuthzError } from "../errors.js";
import type { JsonLimits, JsonValue } from "./json-value.js";
import { protoDocument } from "./proto-document.js";
import { parseBody } from "./request-body.js";
import { parsePathAndQuery } from "./request-path.js";

/** The document a policy sees as `input`, less `identity` (added by the pipeline). */
export type InputDocument = { [key: string]: JsonValue };

/** Options for {@link toInput}. */
export interface InputOptions {
  /** Leave out `parsed_body` and `truncated_body` (opa-envoy-plugin's skip-request-body-parse). */
  skipRequestBodyParse: boolean;
  /** Bounds on JSON bodies and JSON multipart parts; past them the request is refused. */
  bodyLimits: JsonLimits;
}

const VERSION = { ext_authz: "v3", encoding: "protojson" } as const;

/**
 * Builds the input document from a decoded `envoy.service.auth.v3.CheckRequest`, as
 * opa-envoy-plugin v1.19.1-envoy does (CONTRACT.md §2). Throws `AuthzError("request_parse_error")`
 * with the parser's message when the path, query or body cannot be parsed.
 */
export async function toInput(
  checkRequestType: Type,
  request: Message,
  options: InputOptions,
): Promise<InputDocument> {
  const input: InputDocument = protoDocument(checkRequestType, request);
  const attributes = input.attributes as { [key: string]: JsonValue } | undefined;
  const http = httpRequest(attributes);
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
  } catch (error) {
    throw new AuthzError("request_parse_error", (error as Error).message, { cause: error });
  }
  const principal = (attributes?.source as { principal?: string } | undefined)?.principal;
  if (principal) input.source_principal = principal;
  return input;
}

function httpRequest(attributes: { [key: string]: JsonValue } | undefined) {
  const request = attributes?.request as { [key: string]: JsonValue } | undefined;
  return request?.http as { [key: string]: JsonValue } | undefined;
}

function stringField(http: { [key: string]: JsonValue } | undefined, name: string): string {
  const value = http?.[name];
  return typeof value === "string" ? value : "";
}

/** `raw_body` as bytes: the document holds it base64-encoded, the decoded message as bytes. */
function rawBody(request: Message): Uint8Array {
  const http = (
    request as unknown as { attributes?: { request?: { http?: { rawBody?: Uint8Array } } } }
  ).attributes?.request?.http;
  return http?.rawBody ?? new Uint8Array();
}

import { describe, expect, it } from "vitest";
import { type CheckResponse, decisionToResponse } from "../authz/index.js";
import { toStruct } from "../input/index.js";
import { createRequestDecoder, createResponseEncoder, isUndecodable } from "./codec.js";
import { loadProtos } from "./protos.js";

const { checkRequest } = loadProtos();
const decode = createRequestDecoder(checkRequest);

/** A CheckRequest whose one header value is `value`, as bytes. */
const withHeader = (value: string) =>
  Buffer.from(
    checkRequest
      .encode(
        checkRequest.fromObject({
          attributes: { request: { http: { method: "GET", headers: { "x-note": value } } } },
        }),
      )
      .finish(),
  );

const header = (decoded: unknown) =>
  (decoded as { attributes: { request: { http: { headers: Record<string, string> } } } }).attributes
    .request.http.headers["x-note"];

describe("the CheckRequest decoder's strings", () => {
  it.each([
    ["ASCII", "planner-ui/7.1.3"],
    ["a short non-ASCII text", "café ✓"],
    ["a text past 64 bytes", `${"é".repeat(40)} 😀`],
    ["U+FFFD written as valid UTF-8", "caf\uFFFD \uFFFD"],
  ])("decodes %s as written", (_, value) => {
    expect(header(decode(withHeader(value)))).toBe(value);
  });

  it.each([
    ["a lone continuation byte", [0x80]],
    ["a truncated sequence", [0xc3]],
    ["an overlong encoding", [0xc0, 0xaf]],
    ["a surrogate", [0xed, 0xa0, 0x80]],
  ])("refuses %s, as protobufjs's own check does", (_, bytes) => {
    // A placeholder as long as the invalid bytes, so no length prefix changes.
    const invalid = withHeader("@".repeat(bytes.length));
    invalid.set(bytes, invalid.indexOf("@".repeat(bytes.length)));
    const decoded = decode(invalid);
    expect(isUndecodable(decoded) && decoded.decodeError).toBe(
      "The encoded data was not valid for encoding utf-8",
    );
  });
});

describe("the CheckResponse encoder", () => {
  const { checkResponse } = loadProtos();
  const encode = createResponseEncoder(checkResponse);
  /** What protobufjs writes for the response copied into message instances first. */
  const viaFromObject = (response: CheckResponse) => {
    const { dynamicMetadata, ...rest } = response;
    const message = checkResponse.fromObject({
      ...rest,
      ...(dynamicMetadata ? { dynamicMetadata: toStruct(dynamicMetadata) } : {}),
    });
    return Buffer.from(checkResponse.encode(message).finish());
  };

  it.each<[string, unknown]>([
    ["a boolean allow", true],
    ["a boolean deny", false],
    [
      "an allow with headers, removals and query changes",
      {
        allowed: true,
        headers: { "x-subject": "rita", "x-tenant": ["acme", "beta"] },
        request_headers_to_remove: ["authorization"],
        response_headers_to_add: { "x-decision": "ok" },
        query_parameters_to_remove: ["token"],
        query_parameters_to_set: { page: "2" },
      },
    ],
    [
      "a deny with status, body, headers and nested metadata",
      {
        allowed: false,
        http_status: 429,
        body: "slow down ✓",
        headers: { "retry-after": "30" },
        dynamic_metadata: {
          reason: "rate",
          n: 1.5,
          ok: false,
          none: null,
          list: [1, "a", { b: [] }],
        },
      },
    ],
  ])("writes %s as fromObject would", (_, decision) => {
    const { response } = decisionToResponse(decision);
    response.dynamicMetadata = { ...response.dynamicMetadata, decision_id: "d-1" };
    const bytes = encode(response);
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(bytes.equals(viaFromObject(response))).toBe(true);
  });
});

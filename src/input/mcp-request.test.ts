import { describe, expect, it } from "vitest";
import { parseJson } from "./json-value.js";
import { McpParseError, pathMatches, toMcpInput } from "./mcp-request.js";

const OPTIONS = { paths: ["/mcp", "/api/v1/tenants/*/mcp"] };
const MCP_PATH = ["api", "v1", "tenants", "acme", "mcp"];
const OTHER_PATH = ["api", "v1", "tenants", "acme", "tickets"];

const fromBody = (body: string, parsedPath = MCP_PATH) =>
  toMcpInput({ metadata: undefined, body: parseJson(body), parsedPath }, OPTIONS);

const call = (name: string, args?: object) => ({
  jsonrpc: "2.0",
  id: 1,
  method: "tools/call",
  params: { name, ...(args ? { arguments: args } : {}) },
});

describe("toMcpInput from a JSON-RPC body", () => {
  it("a tools/call: method, id, params and the tool, at the top level too", () => {
    const body = JSON.stringify(call("search_docs", { query: "x" }));
    const request = {
      method: "tools/call",
      id: 1,
      params: { name: "search_docs", arguments: { query: "x" } },
      tool: { name: "search_docs", arguments: { query: "x" } },
    };
    expect(fromBody(body)).toEqual({
      source: "body",
      batch: false,
      requests: [request],
      ...request,
    });
  });

  it.each([
    ["a tools/call without arguments has none", call("t"), { tool: { name: "t", arguments: {} } }],
    [
      "a notification has no id",
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { method: "notifications/initialized" },
    ],
    ["a string id", { jsonrpc: "2.0", id: "a-1", method: "ping" }, { id: "a-1", method: "ping" }],
    [
      "a response to the server",
      { jsonrpc: "2.0", id: 7, result: {} },
      { method: "__jsonrpc_response", id: 7 },
    ],
  ])("%s", (_, body, expected) => {
    expect(fromBody(JSON.stringify(body))).toMatchObject({ batch: false, ...expected });
  });

  it("a batch lists every call and none at the top level", () => {
    const body = JSON.stringify([call("a"), { jsonrpc: "2.0", method: "notifications/cancelled" }]);
    const mcp = fromBody(body);
    expect(mcp).toEqual({
      source: "body",
      batch: true,
      requests: [
        { method: "tools/call", id: 1, params: { name: "a" }, tool: { name: "a", arguments: {} } },
        { method: "notifications/cancelled" },
      ],
    });
  });

  it("keeps a big id exactly", () => {
    const mcp = fromBody('{"jsonrpc":"2.0","id":12345678901234567890,"method":"ping"}');
    expect(String(mcp?.id)).toBe("12345678901234567890");
  });

  it.each([
    ["not an object", "42", "must be an object"],
    ["no jsonrpc", '{"id":1,"method":"ping"}', 'jsonrpc must be "2.0"'],
    ["jsonrpc 1.0", '{"jsonrpc":"1.0","id":1,"method":"ping"}', 'jsonrpc must be "2.0"'],
    [
      "a number as method",
      '{"jsonrpc":"2.0","id":1,"method":5}',
      "method must be a non-empty string",
    ],
    ["an empty method", '{"jsonrpc":"2.0","method":""}', "method must be a non-empty string"],
    ["null id", '{"jsonrpc":"2.0","id":null,"method":"ping"}', "id must be a string or a number"],
    [
      "an object id",
      '{"jsonrpc":"2.0","id":{},"method":"ping"}',
      "id must be a string or a number",
    ],
    [
      "params by position",
      '{"jsonrpc":"2.0","method":"ping","params":[1]}',
      "params must be an object",
    ],
    [
      "tools/call without a name",
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"arguments":{}}}',
      "tools/call needs params.name, a non-empty string",
    ],
    [
      "tools/call with a number as name",
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":3}}',
      "tools/call needs params.name, a non-empty string",
    ],
    [
      "tools/call with array arguments",
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t","arguments":["/etc"]}}',
      "params.arguments must be an object",
    ],
    [
      "a response with result and error",
      '{"jsonrpc":"2.0","id":1,"result":1,"error":{}}',
      "method",
    ],
    ["an empty batch", "[]", "an empty batch"],
    [
      "a batch with one bad call",
      `[${JSON.stringify(call("a"))},{"jsonrpc":"2.0","method":7}]`,
      "request 2: method must be a non-empty string",
    ],
  ])("on an MCP path, %s is refused", (_, body, message) => {
    expect(() => fromBody(body)).toThrow(McpParseError);
    expect(() => fromBody(body)).toThrow(message);
  });

  it("elsewhere, a body that is not JSON-RPC gives no input.mcp", () => {
    expect(fromBody('{"method":5}', OTHER_PATH)).toBeUndefined();
    expect(fromBody('{"title":"a ticket"}', OTHER_PATH)).toBeUndefined();
    expect(fromBody(JSON.stringify(call("t")), OTHER_PATH)).toMatchObject({ method: "tools/call" });
  });

  it("no body, no input.mcp (an MCP path's GET stream or DELETE)", () => {
    expect(toMcpInput({ metadata: undefined, body: null, parsedPath: MCP_PATH }, OPTIONS)).toBe(
      undefined,
    );
  });

  it("a form body on an MCP path is not JSON-RPC", () => {
    const form = { jsonrpc: ["2.0"], method: ["ping"] };
    expect(() =>
      toMcpInput({ metadata: undefined, body: form, parsedPath: MCP_PATH }, OPTIONS),
    ).toThrow('jsonrpc must be "2.0"');
  });
});

describe("toMcpInput from Envoy's MCP filter metadata", () => {
  /** What envoy.filters.http.mcp writes for a tools/call by default: no arguments, is_mcp_request. */
  const envoy = (extra: object = {}) => ({
    jsonrpc: "2.0",
    id: 1,
    method: "tools/call",
    params: { name: "search_docs" },
    is_mcp_request: true,
    ...extra,
  });
  const fromMetadata = (metadata: object, body: unknown = null, parsedPath = MCP_PATH) =>
    toMcpInput({ metadata: metadata as never, body: body as never, parsedPath }, OPTIONS);

  it("without arguments extracted, the tool's arguments are unknown", () => {
    expect(fromMetadata(envoy())).toEqual({
      source: "envoy.filters.http.mcp",
      batch: false,
      requests: [
        {
          method: "tools/call",
          id: 1,
          params: { name: "search_docs" },
          tool: { name: "search_docs" },
        },
      ],
      method: "tools/call",
      id: 1,
      params: { name: "search_docs" },
      tool: { name: "search_docs" },
    });
  });

  it("arguments Envoy extracted (an extraction rule for params.arguments)", () => {
    const metadata = envoy({ params: { name: "search_docs", arguments: { query: "x" } } });
    expect(fromMetadata(metadata)?.tool).toEqual({
      name: "search_docs",
      arguments: { query: "x" },
    });
  });

  it("after a partial read (is_exceeding_limit) no arguments are known", () => {
    const metadata = envoy({
      params: { name: "search_docs", arguments: { query: "x" } },
      is_exceeding_limit: true,
    });
    expect(fromMetadata(metadata)?.tool).toEqual({ name: "search_docs" });
  });

  it("with the body too, the body's complete params, when it is the same call", () => {
    const body = call("search_docs", { paths: ["/tenants/acme/a"] });
    expect(fromMetadata(envoy(), body)).toMatchObject({
      source: "envoy.filters.http.mcp",
      tool: { name: "search_docs", arguments: { paths: ["/tenants/acme/a"] } },
    });
  });

  it.each([
    ["another tool", call("sessions_spawn")],
    ["another id", { ...call("search_docs"), id: 2 }],
    ["a batch", [call("search_docs")]],
  ])("a body that is %s than Envoy read is refused, on any path", (_, body) => {
    expect(() => fromMetadata(envoy(), body, OTHER_PATH)).toThrow(
      "the body is not the JSON-RPC request Envoy's MCP filter read",
    );
  });

  it("metadata that is not MCP counts only on an MCP path", () => {
    const bad = { jsonrpc: "2.0", id: 1, method: "tools/call", params: {} };
    expect(() => fromMetadata(bad)).toThrow("tools/call needs params.name");
    expect(fromMetadata(bad, null, OTHER_PATH)).toBeUndefined();
    expect(fromMetadata({ is_mcp_request: false, is_exceeding_limit: true })).toBeUndefined();
  });
});

describe("pathMatches", () => {
  it.each([
    ["/mcp", ["mcp"], true],
    ["/mcp", ["mcp", "x"], false],
    ["/mcp/**", ["mcp"], true],
    ["/mcp/**", ["mcp", "a", "b"], true],
    ["/mcp/**", ["other"], false],
    ["/api/v1/tenants/*/mcp", MCP_PATH, true],
    ["/api/v1/tenants/*/mcp", ["api", "v1", "tenants", "", "mcp"], false],
  ])("%s against %j: %s", (pattern, segments, expected) => {
    expect(pathMatches(pattern, segments)).toBe(expected);
  });
});

import { describe, expect, it } from "vitest";
import { loadProtos } from "../grpc/index.js";
import { toInput } from "./input-document.js";
import { UNBOUNDED_JSON } from "./json-value.js";

const { checkRequest } = loadProtos();

/** A CheckRequest through the wire, as the server receives it. */
const received = (headers: Record<string, string>, contextExtensions: Record<string, string>) =>
  checkRequest.decode(
    checkRequest
      .encode(
        checkRequest.fromObject({
          attributes: {
            contextExtensions,
            request: { http: { method: "GET", path: "/", headers } },
          },
        }),
      )
      .finish(),
  );

describe("toInput", () => {
  it("lists map entries in key order, whatever order they arrived in", async () => {
    const options = {
      skipRequestBodyParse: false,
      bodyLimits: UNBOUNDED_JSON,
      credentialHeaders: [],
      mcp: { paths: [] },
    };
    const { document: a } = await toInput(
      checkRequest,
      received({ b: "2", a: "1", c: "3" }, { y: "1", x: "2" }),
      options,
    );
    const { document: b } = await toInput(
      checkRequest,
      received({ c: "3", a: "1", b: "2" }, { x: "2", y: "1" }),
      options,
    );
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const attributes = a.attributes as {
      request: { http: { headers: object } };
      contextExtensions: object;
    };
    expect(Object.keys(attributes.request.http.headers)).toEqual(["a", "b", "c"]);
    expect(Object.keys(attributes.contextExtensions)).toEqual(["x", "y"]);
  });

  it("leaves the credential headers out of the document and returns them apart", async () => {
    const options = {
      skipRequestBodyParse: false,
      bodyLimits: UNBOUNDED_JSON,
      credentialHeaders: ["authorization", "x-proxy-identity"],
      mcp: { paths: [] },
    };
    const headers = { authorization: "Bearer t", "x-proxy-identity": "p", other: "kept" };
    const { document, credentials } = await toInput(checkRequest, received(headers, {}), options);
    expect(credentials).toEqual({ authorization: "Bearer t", "x-proxy-identity": "p" });
    const http = (document.attributes as { request: { http: { headers: object } } }).request.http;
    expect(http.headers).toEqual({ other: "kept" });
    expect(JSON.stringify(document)).not.toContain("Bearer t");
  });

  describe("input.mcp", () => {
    const options = {
      skipRequestBodyParse: false,
      bodyLimits: UNBOUNDED_JSON,
      credentialHeaders: [],
      mcp: { paths: ["/mcp"] },
    };
    const post = (path: string, body: string, metadataContext?: object) =>
      checkRequest.decode(
        checkRequest
          .encode(
            checkRequest.fromObject({
              attributes: {
                ...(metadataContext ? { metadataContext } : {}),
                request: {
                  http: {
                    method: "POST",
                    path,
                    body,
                    headers: { "content-type": "application/json" },
                  },
                },
              },
            }),
          )
          .finish(),
      );

    it("comes from Envoy's MCP filter metadata in metadata_context", async () => {
      const struct = {
        fields: {
          jsonrpc: { stringValue: "2.0" },
          method: { stringValue: "tools/list" },
          id: { numberValue: 3 },
          is_mcp_request: { boolValue: true },
        },
      };
      const request = post("/mcp", "", { filterMetadata: { "envoy.filters.http.mcp": struct } });
      const { document } = await toInput(checkRequest, request, options);
      expect(document.mcp).toEqual({
        source: "envoy.filters.http.mcp",
        batch: false,
        requests: [{ method: "tools/list", id: 3 }],
        method: "tools/list",
        id: 3,
      });
    });

    it("a body that is not JSON-RPC on an MCP path is a request_parse_error", async () => {
      const request = post("/mcp", '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}}');
      await expect(toInput(checkRequest, request, options)).rejects.toMatchObject({
        code: "request_parse_error",
        message: "invalid JSON-RPC 2.0 request: tools/call needs params.name, a non-empty string",
      });
    });

    it("is absent for a JSON body that is not JSON-RPC elsewhere", async () => {
      const { document } = await toInput(checkRequest, post("/api", '{"a":1}'), options);
      expect(document).not.toHaveProperty("mcp");
      expect(document.parsed_body).toEqual({ a: 1 });
    });
  });
});

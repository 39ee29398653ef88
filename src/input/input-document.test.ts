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
    };
    const headers = { authorization: "Bearer t", "x-proxy-identity": "p", other: "kept" };
    const { document, credentials } = await toInput(checkRequest, received(headers, {}), options);
    expect(credentials).toEqual({ authorization: "Bearer t", "x-proxy-identity": "p" });
    const http = (document.attributes as { request: { http: { headers: object } } }).request.http;
    expect(http.headers).toEqual({ other: "kept" });
    expect(JSON.stringify(document)).not.toContain("Bearer t");
  });
});

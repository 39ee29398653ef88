import { describe, expect, it } from "vitest";
import { DecisionShapeError, decisionToResponse } from "./check-response.js";

describe("decisionToResponse", () => {
  it.each([
    ["true", true, { status: { code: 0 } }],
    ["false", false, { status: { code: 7 } }],
    [
      "a deny object",
      {
        allowed: false,
        http_status: 401,
        body: "no",
        headers: { a: ["1", "2"] },
        dynamic_metadata: { r: 1 },
      },
      {
        status: { code: 7 },
        dynamicMetadata: { r: 1 },
        deniedResponse: {
          status: { code: 401 },
          body: "no",
          headers: [{ header: { key: "a", value: "1" } }, { header: { key: "a", value: "2" } }],
        },
      },
    ],
    [
      "a deny object without status",
      { allowed: false },
      { status: { code: 7 }, deniedResponse: { status: { code: 403 }, body: "", headers: [] } },
    ],
    [
      "an allow object",
      {
        allowed: true,
        headers: [{ a: "1" }],
        request_headers_to_remove: ["x"],
        response_headers_to_add: { b: "2" },
        query_parameters_to_remove: ["t"],
        query_parameters_to_set: { q: ["1", "2"] },
      },
      {
        status: { code: 0 },
        okResponse: {
          headers: [{ header: { key: "a", value: "1" } }],
          headersToRemove: ["x"],
          responseHeadersToAdd: [{ header: { key: "b", value: "2" } }],
          queryParametersToRemove: ["t"],
          queryParametersToSet: [
            { key: "q", value: "1" },
            { key: "q", value: "2" },
          ],
        },
      },
    ],
  ])("maps %s", (_, decision, response) => {
    expect(decisionToResponse(decision).response).toEqual(response);
  });

  it.each([
    ["a string", "yes"],
    ["null", null],
    ["an array", [true]],
    ["an object without allowed", {}],
    ["allowed as a string", { allowed: "true" }],
    ["an unknown status", { allowed: false, http_status: 299 }],
    ["a fractional status", { allowed: false, http_status: 403.5 }],
    ["a header number", { allowed: true, headers: { a: 1 } }],
    ["a header list of numbers", { allowed: true, headers: { a: [1] } }],
    ["headers as a string", { allowed: false, headers: "x" }],
    ["dynamic metadata as a list", { allowed: true, dynamic_metadata: [] }],
    ["a body number", { allowed: false, body: 1 }],
    ["headers_to_remove with a number", { allowed: true, request_headers_to_remove: [1] }],
    ["query_parameters_to_set as a list", { allowed: true, query_parameters_to_set: ["a"] }],
  ])("rejects %s", (_, decision) => {
    expect(() => decisionToResponse(decision)).toThrow(DecisionShapeError);
  });

  // The status Envoy sends the client for a deny. 1xx and 2xx would read as an interim answer or
  // success (docs/differences.md); 3xx redirects (to a login page) and 4xx/5xx are denials.
  it.each([
    [100, "http_status 100 on a deny: a denial must carry a 3xx, 4xx or 5xx status"],
    [200, "http_status 200 on a deny: a denial must carry a 3xx, 4xx or 5xx status"],
    [201, "http_status 201 on a deny"],
    [204, "http_status 204 on a deny"],
    [226, "http_status 226 on a deny"],
    [299, "invalid HTTP status code 299"],
    [418, "invalid HTTP status code 418"], // not in Envoy's StatusCode enum
    [600, "invalid HTTP status code 600"],
    [0, "invalid HTTP status code 0"],
    [-403, "invalid HTTP status code -403"],
  ])("refuses a deny with http_status %d", (status, message) => {
    const decide = () => decisionToResponse({ allowed: false, http_status: status });
    expect(decide).toThrow(DecisionShapeError);
    expect(decide).toThrow(message);
  });

  it.each([300, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 429, 500, 503, 511])(
    "keeps a deny with http_status %d",
    (status) => {
      const headers = { location: "https://login.example/?next=%2F" };
      expect(decisionToResponse({ allowed: false, http_status: status, headers })).toEqual({
        allowed: false,
        response: {
          status: { code: 7 },
          deniedResponse: {
            status: { code: status },
            body: "",
            headers: [{ header: { key: "location", value: headers.location } }],
          },
        },
      });
    },
  );

  it("ignores http_status on an allow, as the peer does", () => {
    expect(decisionToResponse({ allowed: true, http_status: 200 }).response.okResponse).toEqual({
      headers: [],
      headersToRemove: [],
      responseHeadersToAdd: [],
      queryParametersToRemove: [],
      queryParametersToSet: [],
    });
  });
});

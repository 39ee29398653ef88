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
});

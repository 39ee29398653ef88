import { describe, expect, it } from "vitest";
import { parseJson } from "../input/index.js";
import { createCacheKey, DEFAULT_IGNORED_PATHS } from "./cache-key.js";

const key = createCacheKey(DEFAULT_IGNORED_PATHS);
const input = (headers: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  attributes: {
    source: {
      address: {
        socketAddress: {
          address: "10.0.0.1",
          portValue: 40_000 + Math.floor(Math.random() * 1000),
        },
      },
    },
    request: {
      time: { seconds: Date.now() },
      http: { id: String(Math.random()), method: "GET", path: "/a", headers },
    },
  },
  ...extra,
});

describe("createCacheKey", () => {
  it("ignores request ids, time, the source port and trace headers", () => {
    const a = input({ accept: "*/*", "x-request-id": "1", traceparent: "00-a-b-01" });
    const b = input({ traceparent: "00-c-d-01", accept: "*/*", "x-request-id": "2" });
    expect(key(a, "r1")).toBe(key(b, "r1"));
  });

  it("does not change the document it keys", () => {
    const a = input({ "x-request-id": "1" });
    const before = JSON.stringify(a);
    key(a, "r1");
    expect(JSON.stringify(a)).toBe(before);
  });

  it.each([
    ["another header value", input({ accept: "text/html" })],
    ["another identity", input({ accept: "*/*" }, { identity: { subject: "bob" } })],
    [
      "another source address",
      {
        ...input({ accept: "*/*" }),
        attributes: {
          source: { address: { socketAddress: { address: "10.0.0.2" } } },
          request: { http: { method: "GET", path: "/a", headers: { accept: "*/*" } } },
        },
      },
    ],
  ])("changes with %s", (_, other) => {
    expect(key(input({ accept: "*/*" }), "r1")).not.toBe(key(other, "r1"));
  });

  it("tells big numbers, their float64 rounding and imitations apart", () => {
    const body = (parsedBody: unknown) => input({}, { parsed_body: parsedBody });
    const keys = [
      parseJson('{"n":12345678901234567890}'),
      parseJson('{"n":12345678901234567000}'),
      { n: { isLosslessNumber: true, value: "12345678901234567890" } },
    ].map((parsed) => key(body(parsed) as never, "r1"));
    expect(new Set(keys).size).toBe(3);
  });

  it("hides a path and its descendants without touching keys of the same name elsewhere", () => {
    const nested = createCacheKey(["/a", "/a/b", "/c/d"]);
    expect(nested({ a: 1, b: 1, c: { d: 1 } }, "r1")).toBe(
      nested({ a: 2, b: 1, c: { d: 2 } }, "r1"),
    );
    expect(nested({ a: 1, b: 1 }, "r1")).not.toBe(nested({ a: 1, b: 2 }, "r1"));
    expect(nested({ c: { d: 1, e: 1 } }, "r1")).not.toBe(nested({ c: { d: 1, e: 2 } }, "r1"));
  });

  it("reads the document without changing it (a frozen one keys as its copy does)", () => {
    const nested = createCacheKey(["/a", "/c/d"]);
    const document = { a: 1, b: 1, c: { d: 1, e: [1] } };
    const frozen = Object.freeze({ ...document, c: Object.freeze({ ...document.c }) });
    expect(nested(frozen, "r1")).toBe(nested(structuredClone(document), "r1"));
    expect(frozen).toEqual(document);
  });

  it("changes with the policy", () => {
    const a = input({});
    expect(key(a, "r1")).not.toBe(key(a, "r2"));
  });
});

import { describe, expect, it } from "vitest";
import { checkRequestHeader } from "./headers.js";

describe("checkRequestHeader", () => {
  const http = (value: object) => ({ attributes: { request: { http: value } } });
  it("reads the headers map, else Envoy's raw header_map (case-insensitive keys)", () => {
    expect(checkRequestHeader(http({ headers: { traceparent: "a" } }), "traceparent")).toBe("a");
    const raw = http({
      headerMap: { headers: [{ key: "TraceParent", rawValue: Buffer.from("b") }] },
    });
    expect(checkRequestHeader(raw, "traceparent")).toBe("b");
    expect(checkRequestHeader(http({}), "traceparent")).toBeUndefined();
    expect(checkRequestHeader(undefined, "traceparent")).toBeUndefined();
  });
});

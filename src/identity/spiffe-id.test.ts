import { describe, expect, it } from "vitest";
import { parseSpiffeId } from "./spiffe-id.js";

describe("parseSpiffeId", () => {
  it.each([
    [
      "spiffe://prod.openclaw.internal/ns/agents/sa/planner",
      "prod.openclaw.internal",
      "/ns/agents/sa/planner",
    ],
    ["spiffe://example.org", "example.org", ""],
    ["spiffe://a-b_c.9/X.y-Z_", "a-b_c.9", "/X.y-Z_"],
  ])("accepts %s", (id, trustDomain, path) => {
    expect(parseSpiffeId(id)).toEqual({ id, trustDomain, path });
  });

  it.each([
    ["https://example.org/a", "scheme"],
    ["SPIFFE://example.org/a", "scheme"],
    ["spiffe://", "trust domain is empty"],
    ["spiffe:///a", "trust domain is empty"],
    ["spiffe://Example.org/a", "lowercase"],
    ["spiffe://user@example.org/a", "userinfo"],
    ["spiffe://example.org:8443/a", "port"],
    ["spiffe://example.org/a?x=1", "query"],
    ["spiffe://example.org/a#frag", "fragment"],
    ["spiffe://example.org/a%2Fb", "percent-encoded"],
    ["spiffe://example.org/a/", "end with a slash"],
    ["spiffe://example.org/", "end with a slash"],
    ["spiffe://example.org//a", "empty path segment"],
    ["spiffe://example.org/a/./b", "dot segment"],
    ["spiffe://example.org/a/../b", "dot segment"],
    ["spiffe://example.org/a b", "[A-Za-z0-9._-]"],
    [`spiffe://example.org/${"a".repeat(2048)}`, "2048"],
    [`spiffe://${"a".repeat(256)}/x`, "trust domain longer than 255 bytes"],
    ["spiffe://example.org/caf\u00e9", "[A-Za-z0-9._-]"],
  ])("rejects %s (%s)", (id, reason) => {
    expect(() => parseSpiffeId(id)).toThrow(reason);
  });
});

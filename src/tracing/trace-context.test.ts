import { describe, expect, it } from "vitest";
import { parseTraceparent } from "./trace-context.js";

const T = "4bf92f3577b34da6a3ce929d0e0e4736";
const S = "00f067aa0ba902b7";

describe("parseTraceparent (W3C Trace Context §3.2)", () => {
  it.each([
    ["the spec's example", `00-${T}-${S}-01`],
    ["not sampled", `00-${T}-${S}-00`],
    ["surrounding spaces (OWS)", `  00-${T}-${S}-01 `],
    ["a later version with more fields (§4.3)", `cc-${T}-${S}-01-what-the-future-holds`],
  ])("reads %s", (_, value) => {
    expect(parseTraceparent(value)).toEqual({ traceId: T, spanId: S });
  });

  it.each([
    ["absent", undefined],
    ["empty", ""],
    ["version ff", `ff-${T}-${S}-01`],
    ["version 00 with more fields", `00-${T}-${S}-01-x`],
    ["an all-zero trace id", `00-${"0".repeat(32)}-${S}-01`],
    ["an all-zero parent id", `00-${T}-${"0".repeat(16)}-01`],
    ["upper-case hex", `00-${T.toUpperCase()}-${S}-01`],
    ["a short trace id", `00-${T.slice(1)}-${S}-01`],
    ["no flags", `00-${T}-${S}`],
    ["B3 single-header form", `${T}-${S}-1`],
  ])("refuses %s", (_, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });
});

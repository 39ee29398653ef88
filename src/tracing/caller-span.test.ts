import { isSpanContextValid, ROOT_CONTEXT, type TextMapGetter, trace } from "@opentelemetry/api";
import { parseTraceParent, TraceState, W3CTraceContextPropagator } from "@opentelemetry/core";
import { B3Propagator } from "@opentelemetry/propagator-b3";
import { describe, expect, it } from "vitest";
import { generator } from "../../test/support/random.js";
import { type CallerSpan, callerSpan } from "./caller-span.js";
import { checkRequestHeader } from "./headers.js";

const T = "4bf92f3577b34da6a3ce929d0e0e4736";
const S = "00f067aa0ba902b7";

type Headers = Record<string, string>;
const request = (headers: Headers) => ({ attributes: { request: { http: { headers } } } });

/** What the tracer reads: caller-span.ts, and the `tracestate` as the SDK's TraceState keeps it. */
function ours(headers: Headers) {
  const span = callerSpan((name) => checkRequestHeader(request(headers), name), parseTraceParent);
  return span && { ...span, traceState: serialized(span.traceState) };
}
const serialized = (traceState: string) =>
  traceState ? new TraceState(traceState).serialize() : "";

/** What the tracer read before: the SDK's W3C propagator, else its B3 propagator. */
const w3c = new W3CTraceContextPropagator();
const b3 = new B3Propagator();
const getter: TextMapGetter<Headers> = {
  keys: (headers) => Object.keys(headers),
  get: (headers, key) => checkRequestHeader(request(headers), key.toLowerCase()),
};
function propagators(headers: Headers): CallerSpan | undefined {
  const context = w3c.extract(ROOT_CONTEXT, headers, getter);
  const parent = trace.getSpanContext(context)
    ? context
    : b3.extract(ROOT_CONTEXT, headers, getter);
  const caller = trace.getSpanContext(parent);
  if (!caller || !isSpanContextValid(caller)) return undefined;
  return {
    traceId: caller.traceId,
    spanId: caller.spanId,
    sampled: (caller.traceFlags & 1) === 1,
    traceState: caller.traceState?.serialize() ?? "",
  };
}

const CASES: Array<[string, Headers]> = [
  ["none", {}],
  ["W3C, sampled", { traceparent: `00-${T}-${S}-01` }],
  ["W3C, not sampled", { traceparent: `00-${T}-${S}-00` }],
  ["W3C, other flags with the sampled bit", { traceparent: `00-${T}-${S}-03` }],
  ["W3C, other flags without it", { traceparent: `00-${T}-${S}-02` }],
  ["W3C with tracestate", { traceparent: `00-${T}-${S}-01`, tracestate: "a=1, b=2,bad key=x" }],
  ["W3C, one space around", { traceparent: ` 00-${T}-${S}-01 ` }],
  ["W3C, two spaces before", { traceparent: `  00-${T}-${S}-01` }],
  ["W3C, a later version with more fields", { traceparent: `cc-${T}-${S}-01-what-comes` }],
  ["W3C version 00 with more fields", { traceparent: `00-${T}-${S}-01-x` }],
  ["W3C version ff", { traceparent: `ff-${T}-${S}-01` }],
  ["W3C, zero trace id", { traceparent: `00-${"0".repeat(32)}-${S}-01` }],
  ["W3C, zero span id", { traceparent: `00-${T}-${"0".repeat(16)}-01` }],
  ["W3C, upper case", { traceparent: `00-${T.toUpperCase()}-${S}-01` }],
  ["W3C, short", { traceparent: `00-${T.slice(1)}-${S}-01` }],
  ["W3C, empty", { traceparent: "" }],
  ["W3C junk, then B3", { traceparent: "junk", b3: `${T}-${S}-1` }],
  ["W3C and B3: W3C wins", { traceparent: `00-${T}-${S}-00`, b3: `${"1".repeat(32)}-${S}-1` }],
  ["B3 single, sampled", { b3: `${T}-${S}-1` }],
  ["B3 single, debug", { b3: `${T}-${S}-d` }],
  ["B3 single, not sampled", { b3: `${T}-${S}-0` }],
  ["B3 single, no sampling state", { b3: `${T}-${S}` }],
  ["B3 single, with parent", { b3: `${T}-${S}-1-${"e".repeat(16)}` }],
  ["B3 single, 64-bit trace id", { b3: `${T.slice(16)}-${S}-1` }],
  ["B3 single, inside other text", { b3: `xx${T}-${S}-1yy` }],
  ["B3 single, sampling state then hex", { b3: `${T}-${S}-1a` }],
  ["B3 single, deny only", { b3: "0" }],
  ["B3 single, upper case", { b3: `${T.toUpperCase()}-${S}-1` }],
  ["B3 single, zero ids", { b3: `${"0".repeat(32)}-${"0".repeat(16)}-1` }],
  [
    "B3 single junk: the multi headers are not read",
    { b3: "x", "x-b3-traceid": T, "x-b3-spanid": S },
  ],
  [
    "B3 single empty: they are",
    { b3: "", "x-b3-traceid": T, "x-b3-spanid": S, "x-b3-sampled": "1" },
  ],
  ["B3 multi, sampled", { "x-b3-traceid": T, "x-b3-spanid": S, "x-b3-sampled": "1" }],
  ["B3 multi, sampled true", { "x-b3-traceid": T, "x-b3-spanid": S, "x-b3-sampled": "true" }],
  ["B3 multi, sampled True", { "x-b3-traceid": T, "x-b3-spanid": S, "x-b3-sampled": "True" }],
  ["B3 multi, sampled TRUE", { "x-b3-traceid": T, "x-b3-spanid": S, "x-b3-sampled": "TRUE" }],
  ["B3 multi, not sampled", { "x-b3-traceid": T, "x-b3-spanid": S, "x-b3-sampled": "0" }],
  ["B3 multi, sampled false", { "x-b3-traceid": T, "x-b3-spanid": S, "x-b3-sampled": "false" }],
  ["B3 multi, sampled empty", { "x-b3-traceid": T, "x-b3-spanid": S, "x-b3-sampled": "" }],
  ["B3 multi, no sampled header", { "x-b3-traceid": T, "x-b3-spanid": S }],
  ["B3 multi, debug flag", { "x-b3-traceid": T, "x-b3-spanid": S, "x-b3-flags": "1" }],
  [
    "B3 multi, debug flag, bad sampled",
    { "x-b3-traceid": T, "x-b3-spanid": S, "x-b3-flags": "1", "x-b3-sampled": "2" },
  ],
  [
    "B3 multi, 64-bit trace id",
    { "x-b3-traceid": T.slice(16), "x-b3-spanid": S, "x-b3-sampled": "1" },
  ],
  [
    "B3 multi, 20-digit trace id",
    { "x-b3-traceid": T.slice(12), "x-b3-spanid": S, "x-b3-sampled": "1" },
  ],
  [
    "B3 multi, upper case",
    { "x-b3-traceid": T.toUpperCase(), "x-b3-spanid": S.toUpperCase(), "x-b3-sampled": "1" },
  ],
  ["B3 multi, long trace id", { "x-b3-traceid": `${T}0`, "x-b3-spanid": S, "x-b3-sampled": "1" }],
  [
    "B3 multi, short span id",
    { "x-b3-traceid": T, "x-b3-spanid": S.slice(1), "x-b3-sampled": "1" },
  ],
  ["B3 multi, no span id", { "x-b3-traceid": T, "x-b3-sampled": "1" }],
  ["B3 multi, zero trace id", { "x-b3-traceid": "0", "x-b3-spanid": S, "x-b3-sampled": "1" }],
];

describe("callerSpan: the caller's span, as OpenTelemetry's propagators read it", () => {
  it.each(CASES)("%s", (_, headers) => {
    expect(ours(headers)).toEqual(propagators(headers));
  });

  it("reads what the cases say it reads (the propagators are not vacuously agreeing)", () => {
    const read = (name: string) => ours(CASES.find(([n]) => n === name)?.[1] ?? {});
    expect(read("W3C, sampled")).toEqual({ traceId: T, spanId: S, sampled: true, traceState: "" });
    expect(read("W3C, not sampled")?.sampled).toBe(false);
    expect(read("W3C with tracestate")?.traceState).toBe("a=1,b=2");
    expect(read("B3 single, debug")).toMatchObject({ traceId: T, spanId: S, sampled: true });
    expect(read("B3 multi, 64-bit trace id")?.traceId).toBe(`${"0".repeat(16)}${T.slice(16)}`);
    expect(read("B3 multi, sampled TRUE")).toBeUndefined();
    expect(read("W3C and B3: W3C wins")).toMatchObject({ traceId: T, sampled: false });
    expect(read("none")).toBeUndefined();
  });

  it("agrees with them on thousands of mangled headers, and never throws", () => {
    const random = generator(18);
    const seeds: Headers[] = CASES.map(([, headers]) => headers).filter(
      (h) => Object.keys(h).length,
    );
    let continued = 0;
    for (let i = 0; i < 5000; i++) {
      const seed = seeds[Math.floor(random() * seeds.length)] ?? {};
      const headers: Headers = {};
      for (const [name, value] of Object.entries(seed)) headers[name] = mangle(value, random);
      const expected = propagators(headers);
      expect(ours(headers), JSON.stringify(headers)).toEqual(expected);
      if (expected) continued++;
    }
    // Both outcomes were exercised.
    expect(continued).toBeGreaterThan(500);
    expect(continued).toBeLessThan(4500);
  });

  it("reads a header of tens of kilobytes, and Envoy's raw header_map", () => {
    const huge = `${"f".repeat(64 * 1024)}-${S}`;
    expect(ours({ b3: huge })).toEqual(propagators({ b3: huge }));
    expect(ours({ traceparent: huge })).toEqual(propagators({ traceparent: huge }));
    const raw = {
      attributes: {
        request: {
          http: {
            headerMap: {
              headers: [{ key: "TraceParent", rawValue: Buffer.from(`00-${T}-${S}-01`) }],
            },
          },
        },
      },
    };
    expect(callerSpan((name) => checkRequestHeader(raw, name), parseTraceParent)).toMatchObject({
      traceId: T,
      spanId: S,
    });
  });
});

/** One to three random edits: a character replaced, inserted or dropped, or the value cut. */
function mangle(value: string, random: () => number): string {
  const alphabet = "0123456789abcdefABCDEF- \tdxz,=";
  let out = value;
  const edits = 1 + Math.floor(random() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (out.length + 1));
    const char = alphabet[Math.floor(random() * alphabet.length)] ?? "";
    const kind = random();
    if (kind < 0.4) out = out.slice(0, at) + char + out.slice(at + 1);
    else if (kind < 0.7) out = out.slice(0, at) + char + out.slice(at);
    else if (kind < 0.9) out = out.slice(0, at) + out.slice(at + 1);
    else out = out.slice(0, at);
  }
  return out;
}

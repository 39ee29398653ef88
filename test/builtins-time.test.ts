/**
 * The time builtins end to end: a policy built by the real `opa build -t wasm` calls them, the
 * real sidecar evaluates it on its threads and answers over gRPC; the dynamic metadata it returns
 * must equal what topdown (`opa eval`) computes for the same expressions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPolicy } from "./support/bundles.js";
import { checkClient } from "./support/client.js";
import { tool } from "./support/paths.js";
import { run, type Sidecar, startSidecar } from "./support/processes.js";

// Whole-second timestamps are exact in float64, so wasm and topdown see the same numbers. The
// Struct of dynamic metadata holds doubles, so exact_ns carries big results as JSON text.
const RESULTS = `{
  "leap_day": time.date([1709207445000000000, "America/New_York"]),
  "clock": time.clock([1709207445000000000, "Asia/Kolkata"]),
  "weekday": time.weekday(951782400000000000),
  "formatted": time.format([1710054000000000000, "America/New_York", "Mon Jan _2 15:04:05 MST 2006 Z07:00"]),
  "rfc1123": time.format([1711846800000000000, "Europe/Berlin", "RFC1123"]),
  "parsed": time.parse_ns("2006-01-02 15:04:05.000 -0700", "2024-02-29 23:59:59.123 +0530"),
  "rfc3339": time.parse_rfc3339_ns("2262-04-11T23:47:16.854775807Z"),
  "duration": time.parse_duration_ns("1.5d2h30m0.000000001s"),
  "next_year": time.add_date(1709164800000000000, 1, 0, 0),
  "diff": time.diff(1706659200000000000, 1709251200000000000),
  "bad_zone": [x | x := time.date([0, "Nowhere/Nope"])],
  "exact_ns": json.marshal([
    time.parse_rfc3339_ns("2262-04-11T23:47:16.854775807Z"),
    time.parse_ns("RFC3339Nano", "2024-02-29T12:30:45.123456789Z"),
    time.parse_duration_ns("-106751d23h47m16.854775808s"),
  ]),
}`;

const POLICY = `package envoy.authz
import rego.v1
allow := {"allowed": true, "dynamic_metadata": ${RESULTS}}
`;

describe("time builtins in the sidecar", () => {
  let sidecar: Sidecar;
  let client: ReturnType<typeof checkClient>;

  beforeAll(async () => {
    const bundle = await buildPolicy(POLICY, {});
    // A thread's first Intl use loads ICU's zone data (~30 ms idle, more on a busy machine):
    // a deadline well past it, since this test is about values, not latency.
    sidecar = await startSidecar({
      policy: { bundle, evaluationTimeout: "10s" },
      cache: { enabled: false },
    });
    client = checkClient(sidecar.grpc);
  });

  afterAll(async () => {
    client?.close();
    expect(await sidecar?.stop()).toBe(0);
  });

  it("answers with the values topdown computes", async () => {
    const { stdout } = await run(tool("opa"), ["eval", "-f", "raw", RESULTS]);
    const expected = JSON.parse(stdout);
    const result = await client.check({
      attributes: { request: { http: { method: "GET", path: "/" } } },
    });
    expect(result.ok).toBe(true);
    const response = result.ok ? result.response : {};
    expect(response.status).toEqual({});
    expect(JSON.parse(expected.exact_ns)).not.toEqual([]);
    expect(expected.exact_ns).toBe(
      "[9223372036854775807,1709209845123456789,-9223372036854775808]",
    );
    expect(response.dynamicMetadata).toEqual({ ...expected, decision_id: expect.any(String) });
  });
});

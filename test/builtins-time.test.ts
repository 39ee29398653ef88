/**
 * The time builtins end to end: a policy built by the real `opa build -t wasm` calls them, the
 * real sidecar evaluates it on its threads and answers over gRPC; the dynamic metadata it returns
 * must equal what topdown (`opa eval`) computes for the same expressions.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContextSource } from "../src/policy/builtins/context.js";
import { timeBuiltins } from "../src/policy/builtins/time.js";
import { buildPolicy } from "./support/bundles.js";
import { checkClient } from "./support/client.js";
import { tool } from "./support/paths.js";
import { run, type Sidecar, startSidecar } from "./support/processes.js";
import { generator } from "./support/random.js";

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

const ZONES = [
  "UTC",
  "America/New_York",
  "America/St_Johns",
  "Europe/Berlin",
  "Europe/London",
  "Asia/Kolkata",
  "Asia/Kathmandu",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "Pacific/Kiritimati",
  "America/Sao_Paulo",
  "Africa/Casablanca",
];
// Without the zone-abbreviation token (MST): Go takes those from tzdata, we from ICU, and they
// differ by design (docs/builtins.md; src/policy/builtins/time.test.ts pins ours).
const LAYOUTS = ["RFC3339", "2006-01-02 15:04:05 -0700", "Mon Jan _2 3:04:05PM 2006", "RFC1123Z"];

describe("time builtins on generated inputs, against opa eval (topdown)", () => {
  it("agree across time zones, leap years and DST changes", async () => {
    const random = generator(20261202);
    const DAY = 86_400;
    // Whole seconds (exact as float64, as the wasm host receives them): around leap days of
    // leap and non-leap centuries, around the DST changes of each year, and anywhere 1600–2400.
    const seconds: number[] = [];
    for (const year of [1900, 2000, 2023, 2024, 2100, 2400]) {
      const feb28 = Date.UTC(year, 1, 28) / 1000;
      for (let i = 0; i < 4; i++) seconds.push(feb28 + Math.floor(random() * 3 * DAY));
    }
    for (const year of [2024, 2025]) {
      for (const month of [2, 3, 9, 10]) {
        const start = Date.UTC(year, month, 1) / 1000;
        for (let i = 0; i < 3; i++) seconds.push(start + Math.floor(random() * 31 * DAY));
      }
    }
    // Past 2^62 ns (before 1824, after 2116) a float64 holds whole seconds only when they are
    // even: odd ones would reach our builtins rounded (a documented difference), not here.
    const span = Date.UTC(2400, 0, 1) / 1000 - Date.UTC(1600, 0, 1) / 1000;
    for (let i = 0; i < 24; i++) {
      const s = Date.UTC(1600, 0, 1) / 1000 + Math.floor(random() * span);
      seconds.push(Math.abs(s) * 1e9 >= 2 ** 62 ? s - (s % 2) : s);
    }
    const calls: Array<[string, unknown[]]> = [];
    for (const s of seconds) {
      const ns = s * 1e9;
      const zone = ZONES[Math.floor(random() * ZONES.length)] as string;
      const layout = LAYOUTS[Math.floor(random() * LAYOUTS.length)] as string;
      calls.push(
        ["time.date", [[ns, zone]]],
        ["time.clock", [[ns, zone]]],
        ["time.weekday", [[ns, zone]]],
        ["time.format", [[ns, zone, layout]]],
        ["time.add_date", [ns, Math.floor(random() * 5) - 2, Math.floor(random() * 25) - 12, 29]],
      );
    }
    // json.unmarshal: the arguments reach topdown as JSON numbers, as they reach our builtins.
    const module = `package t\nimport rego.v1\nresults := [\n${calls
      .map(
        ([name, args]) =>
          `  [x | x := ${name}(${args.map((a) => `json.unmarshal(${JSON.stringify(JSON.stringify(a))})`).join(", ")})],`,
      )
      .join("\n")}\n]\n`;
    const dir = await mkdtemp(join(tmpdir(), "oc-time-"));
    await writeFile(join(dir, "t.rego"), module);
    const { stdout } = await run(tool("opa"), ["eval", "-f", "raw", "-d", dir, "data.t.results"], {
      maxBuffer: 1 << 26,
    });
    const expected = JSON.parse(stdout) as unknown[][];
    const context = createContextSource({ nowNs: () => 0n, print: () => {} }).current;
    const ours = calls.map(([name, args]) => {
      try {
        const value = timeBuiltins[name]?.(context, ...args);
        return [value instanceof ArrayBuffer ? JSON.parse(new TextDecoder().decode(value)) : value];
      } catch {
        return [];
      }
    });
    expect(expected).toHaveLength(calls.length);
    const differences = calls
      .map((call, i) => ({ call, topdown: expected[i], ours: ours[i] }))
      .filter(({ topdown, ours }) => JSON.stringify(topdown) !== JSON.stringify(ours));
    expect(differences).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import type { DecisionRecord } from "../authz/index.js";
import { AuthzError, InvalidCredential } from "../errors.js";
import { createMetrics } from "./index.js";

const at = (ms: number) => ({ now: () => new Date(ms), nowNs: () => 0n });
const build = { version: "1.2.3", commit: "abc123", opaWasm: "1.10.0" };

function record(fields: Partial<DecisionRecord>): DecisionRecord {
  return {
    decisionId: "d",
    timestamp: new Date(0),
    allowed: false,
    dryRun: false,
    metrics: {},
    ...fields,
  };
}

/** The value of one sample line, `name{labels}` exactly as prom-client writes it. */
async function sample(metrics: ReturnType<typeof createMetrics>, series: string) {
  const line = (await metrics.registry.metrics())
    .split("\n")
    .find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("createMetrics", () => {
  it("starts every outcome, status, reason and source at zero, before any event", async () => {
    const metrics = createMetrics({ clock: at(0) }, { build });
    for (const series of [
      'openclaw_authz_decisions_total{outcome="allow",code=""}',
      'openclaw_authz_decisions_total{outcome="deny",code=""}',
      'openclaw_authz_decisions_total{outcome="unauthenticated",code="identity_invalid"}',
      'openclaw_authz_decisions_total{outcome="error",code="policy_eval_timeout"}',
      'openclaw_authz_check_calls_total{grpc_code="OK"}',
      'openclaw_authz_check_calls_total{grpc_code="RESOURCE_EXHAUSTED"}',
      'openclaw_authz_cache_hits_total{source="shared"}',
      'openclaw_authz_bundle_loads_total{outcome="refused"}',
      'openclaw_authz_redis_failures_total{purpose="cache",failure="timeout"}',
      'openclaw_authz_rejected_requests_total{reason="receive_timeout"}',
      'openclaw_authz_decision_log_events_total{sink="all",outcome="dropped"}',
      "openclaw_authz_policy_loaded",
      "openclaw_authz_bundle_last_load_timestamp_seconds",
    ])
      expect([series, await sample(metrics, series)]).toEqual([series, 0]);
  });

  it("counts an invalid credential as unauthenticated, and faults as errors by code", async () => {
    const metrics = createMetrics({ clock: at(0) }, { build });
    metrics.observeDecision(record({ error: new InvalidCredential("jwt", "expired") }));
    metrics.observeDecision(record({ error: new AuthzError("policy_not_loaded", "none") }));
    metrics.observeDecision(record({ allowed: true }));
    metrics.observeDecision(record({ allowed: false }));
    expect(
      await sample(
        metrics,
        'openclaw_authz_decisions_total{outcome="unauthenticated",code="identity_invalid"}',
      ),
    ).toBe(1);
    expect(
      await sample(
        metrics,
        'openclaw_authz_decisions_total{outcome="error",code="identity_invalid"}',
      ),
    ).toBeUndefined();
    expect(
      await sample(
        metrics,
        'openclaw_authz_decisions_total{outcome="error",code="policy_not_loaded"}',
      ),
    ).toBe(1);
    expect(await sample(metrics, 'openclaw_authz_decisions_total{outcome="allow",code=""}')).toBe(
      1,
    );
    expect(await sample(metrics, 'openclaw_authz_decisions_total{outcome="deny",code=""}')).toBe(1);
  });

  it("reports the build, Node's process and heap metrics, and the heap against its limit", async () => {
    const text = await createMetrics({ clock: at(0) }, { build }).registry.metrics();
    expect(text).toContain(
      'openclaw_authz_build_info{version="1.2.3",commit="abc123",opa_wasm="1.10.0"} 1',
    );
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d+/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    const ratio = Number(/^openclaw_authz_heap_used_ratio (\S+)/m.exec(text)?.[1]);
    expect(ratio).toBeGreaterThan(0);
    expect(ratio).toBeLessThan(1);
  });

  it("stamps bundle loads and source reads, and each issuer's last key fetch, in seconds", async () => {
    const metrics = createMetrics({ clock: at(1_700_000_000_500) }, { build });
    metrics.policyLoaded("r1");
    metrics.bundleSourceReached();
    metrics.observeKeySets(() => [
      { issuer: "https://idp.example.com/", refreshedAtMs: 1_600_000_000_000 },
      { issuer: "https://down.example.com/", refreshedAtMs: 0 },
    ]);
    expect(await sample(metrics, "openclaw_authz_bundle_last_load_timestamp_seconds")).toBe(
      1_700_000_000.5,
    );
    expect(await sample(metrics, "openclaw_authz_bundle_last_check_timestamp_seconds")).toBe(
      1_700_000_000.5,
    );
    expect(
      await sample(
        metrics,
        'openclaw_authz_jwks_last_refresh_timestamp_seconds{issuer="https://idp.example.com/"}',
      ),
    ).toBe(1_600_000_000);
    expect(
      await sample(
        metrics,
        'openclaw_authz_jwks_last_refresh_timestamp_seconds{issuer="https://down.example.com/"}',
      ),
    ).toBe(0);
    expect(await sample(metrics, "openclaw_authz_policy_loaded")).toBe(1);
  });
});

import type { Define } from "./define.js";
import { each } from "./define.js";
import { BUNDLE_LOAD_OUTCOMES, THREAD_REPLACED_REASONS } from "./labels.js";
import type { AuthzMetrics } from "./sidecar-metrics.js";

/** The serving policy: loads, refusals, freshness, evaluation threads. */
export function policyMetrics(
  define: Define,
  nowSeconds: () => number,
): Pick<AuthzMetrics, "policyLoaded" | "bundleRefused" | "bundleSourceReached" | "threadReplaced"> {
  const loaded = define.gauge(
    "policy_loaded",
    "1 while a policy is loaded and serving (the least over workers).",
    "min",
  );
  const info = define.gauge("bundle_info", "1 for the revision serving now.", "max", ["revision"]);
  const lastLoad = define.gauge(
    "bundle_last_load_timestamp_seconds",
    "When the serving bundle was loaded (Unix time; 0 before the first; the oldest over workers).",
    "min",
  );
  const lastCheck = define.gauge(
    "bundle_last_check_timestamp_seconds",
    "When policy.bundle was last read successfully, changed or not (Unix time; 0 before; the oldest over workers).",
    "min",
  );
  for (const gauge of [loaded, lastLoad, lastCheck]) gauge.set(0);
  const loads = define.counter(
    "bundle_loads_total",
    "Bundle loads by outcome (loaded, refused).",
    ["outcome"],
    each("outcome", BUNDLE_LOAD_OUTCOMES),
  );
  const missingBuiltins = define.gauge(
    "bundle_missing_builtins",
    "1 for each builtin the last refused bundle calls that this sidecar does not provide; cleared when a bundle loads.",
    "max",
    ["builtin"],
  );
  const threads = define.counter(
    "evaluation_threads_replaced_total",
    "Evaluation threads terminated and replaced: an evaluation ran past policy.evaluationTimeout (deadline) or the thread died.",
    ["reason"],
    each("reason", THREAD_REPLACED_REASONS),
  );
  return {
    policyLoaded(revision) {
      loaded.set(1);
      lastLoad.set(nowSeconds());
      info.reset();
      info.set({ revision }, 1);
      loads.inc({ outcome: "loaded" });
      missingBuiltins.reset();
    },
    bundleRefused(names = []) {
      loads.inc({ outcome: "refused" });
      missingBuiltins.reset();
      for (const builtin of names) missingBuiltins.set({ builtin }, 1);
    },
    bundleSourceReached: () => lastCheck.set(nowSeconds()),
    threadReplaced: (reason) => threads.inc({ reason }),
  };
}

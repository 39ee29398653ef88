import { getHeapStatistics } from "node:v8";
import type { Define } from "./define.js";
import type { AuthzMetrics, BuildInfo } from "./sidecar-metrics.js";

/** The build, the heap, and the key sets' freshness. */
export function processMetrics(
  define: Define,
  build: BuildInfo,
): Pick<AuthzMetrics, "observeKeySets"> {
  define
    .gauge("build_info", "1, labelled with the build.", "first", ["version", "commit", "opa_wasm"])
    .set({ version: build.version, commit: build.commit, opa_wasm: build.opaWasm }, 1);
  define.gauge(
    "heap_limit_bytes",
    "V8's heap size limit (set by --max-old-space-size).",
    "sum",
    [],
    function () {
      this.set(getHeapStatistics().heap_size_limit);
    },
  );
  define.gauge(
    "heap_used_ratio",
    "Used V8 heap over its limit (of the fullest worker).",
    "max",
    [],
    function () {
      const heap = getHeapStatistics();
      this.set(heap.used_heap_size / heap.heap_size_limit);
    },
  );
  let keySets: Parameters<AuthzMetrics["observeKeySets"]>[0] = () => [];
  define.gauge(
    "jwks_last_refresh_timestamp_seconds",
    "When each issuer's remote JWKS was last fetched (Unix time; 0 before the first; the oldest over workers).",
    "min",
    ["issuer"],
    function () {
      this.reset();
      for (const { issuer, refreshedAtMs } of keySets()) this.set({ issuer }, refreshedAtMs / 1000);
    },
  );
  return {
    observeKeySets(read) {
      keySets = read;
    },
  };
}

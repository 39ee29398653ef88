/** A real Jaeger (v2, memory storage) for the tracing tests: OTLP/HTTP in, query API out. */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { tool } from "./paths.js";
import { startProcess } from "./processes.js";
import { freePort } from "./redis.js";

/** A span as Jaeger's query API (`/api/traces/<id>`) returns it. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: Array<{ refType: string; traceID: string; spanID: string }>;
  tags: Array<{ key: string; type: string; value: unknown }>;
  processID: string;
}

export interface JaegerTrace {
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

export interface Jaeger {
  /** Where the sidecar sends spans: the OTLP/HTTP traces URL. */
  otlpUrl: string;
  /** The trace Jaeger holds for `traceId`, or undefined while it has none. */
  trace(traceId: string): Promise<JaegerTrace | undefined>;
  stop(): Promise<unknown>;
}

/**
 * Starts `.tools/bin/jaeger` (scripts/lib.sh `ensure_jaeger`) with only its OTLP/HTTP receiver
 * and query API, each on a free loopback port, traces kept in memory.
 */
export async function startJaeger(): Promise<Jaeger> {
  const [otlp, query, queryGrpc] = [await freePort(), await freePort(), await freePort()];
  const config = {
    service: {
      extensions: ["jaeger_storage", "jaeger_query"],
      pipelines: { traces: { receivers: ["otlp"], exporters: ["jaeger_storage_exporter"] } },
      telemetry: { metrics: { level: "none" }, logs: { level: "info" } },
    },
    extensions: {
      jaeger_storage: { backends: { memstore: { memory: { max_traces: 1000 } } } },
      jaeger_query: {
        storage: { traces: "memstore" },
        http: { endpoint: `127.0.0.1:${query}` },
        grpc: { endpoint: `127.0.0.1:${queryGrpc}` },
      },
    },
    receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${otlp}` } } } },
    exporters: { jaeger_storage_exporter: { trace_storage: "memstore" } },
  };
  const path = join(await mkdtemp(join(tmpdir(), "oc-jaeger-")), "jaeger.yaml");
  await writeFile(path, stringify(config));
  const started = await startProcess(
    tool("jaeger"),
    ["--config", path],
    /Everything is ready/,
    60_000,
  );
  return {
    otlpUrl: `http://127.0.0.1:${otlp}/v1/traces`,
    async trace(traceId) {
      const response = await fetch(`http://127.0.0.1:${query}/api/traces/${traceId}`);
      if (response.status === 404) return undefined;
      if (!response.ok) throw new Error(`jaeger query: HTTP ${response.status}`);
      const body = (await response.json()) as { data?: JaegerTrace[] };
      return body.data?.[0];
    },
    stop: () => started.stop(),
  };
}

/** A span's tags as an object. */
export const tagsOf = (span: JaegerSpan): Record<string, unknown> =>
  Object.fromEntries(span.tags.map((tag) => [tag.key, tag.value]));

import { readFile } from "node:fs/promises";
import pino from "pino";
import type { CheckResponse } from "../authz/index.js";
import type { Config } from "../config/index.js";
import { AuthzError } from "../errors.js";
import { fromProtoJson, loadProtos, type Protos } from "../grpc/index.js";
import { createPipeline, openPolicy, openRedis } from "../sidecar/index.js";

/**
 * `openclaw-authz check`: runs one CheckRequest (protobuf JSON, from a file or `-` for stdin)
 * through the same pipeline as `serve` and prints `{decision, response, identity}`.
 * Returns the exit code: 0 allowed, 1 denied. Throws `AuthzError`: `input_unreadable` when the
 * request cannot be read, `request_parse_error` when it is not a CheckRequest, and the errors of
 * loading the configured policy.
 */
export async function check(
  config: Config,
  source: string,
  write: (text: string) => void,
): Promise<number> {
  const protos = loadProtos();
  const request = await readRequest(source, protos.checkRequest);
  const logger = pino({ level: "silent" });
  const opened = await openPolicy(config, { logger, watch: false });
  const policy = opened.store.current();
  if (!policy) {
    opened.close();
    throw new AuthzError(
      "bundle_invalid",
      opened.store.status().lastError?.message ?? "policy.bundle is not configured",
    );
  }
  let redis: Awaited<ReturnType<typeof openRedis>> | undefined;
  try {
    redis = config.cache.redis ? await openRedis(config.cache.redis, logger, () => {}) : undefined;
    const pipeline = await createPipeline(config, {
      policies: { current: () => policy },
      logger,
      fetch: globalThis.fetch,
      protos,
      ...(redis ? { redis } : {}),
    });
    // Through the wire encoding, so `check` decodes exactly what `serve` would receive.
    const wire = protos.checkRequest.encode(request).finish();
    const outcome = await pipeline.authorizer.check(protos.checkRequest.decode(wire));
    pipeline.close();
    const { record } = outcome;
    const output = {
      decision: record.result ?? null,
      ...(record.error
        ? { error: { code: record.error.code, message: record.error.message } }
        : {}),
      response: toProtoJson(
        outcome.response,
        (code) => protos.httpStatusCode.valuesById[code] ?? code,
      ),
      identity: record.identity ?? null,
    };
    write(`${JSON.stringify(output, null, 2)}\n`);
    return outcome.allowed ? 0 : 1;
  } finally {
    opened.close();
    await redis?.close();
  }
}

/** Reads a CheckRequest in protobuf JSON from a file or stdin (`-`). */
async function readRequest(source: string, type: Protos["checkRequest"]) {
  const text =
    source === "-"
      ? await readStdin()
      : await readFile(source, "utf8").catch((error: Error) => {
          throw new AuthzError("input_unreadable", `cannot read ${source}: ${error.message}`);
        });
  try {
    return fromProtoJson(type, JSON.parse(text));
  } catch (error) {
    throw new AuthzError(
      "request_parse_error",
      `${source} is not a CheckRequest in protobuf JSON: ${(error as Error).message}`,
    );
  }
}

/** The CheckResponse in protobuf JSON: empty lists omitted, HTTP status codes as enum names. */
function toProtoJson(
  response: CheckResponse,
  statusName: (code: number) => string | number,
): unknown {
  const prune = (value: object | undefined) =>
    value &&
    Object.fromEntries(
      Object.entries(value).filter(([, v]) => !(Array.isArray(v) && v.length === 0)),
    );
  const denied = response.deniedResponse;
  return {
    status: response.status,
    ...(response.okResponse ? { okResponse: prune(response.okResponse) } : {}),
    ...(denied
      ? { deniedResponse: { ...prune(denied), status: { code: statusName(denied.status.code) } } }
      : {}),
    ...(response.dynamicMetadata ? { dynamicMetadata: response.dynamicMetadata } : {}),
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

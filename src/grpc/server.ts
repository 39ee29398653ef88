import cluster from "node:cluster";
import { lstat, unlink } from "node:fs/promises";
import * as grpc from "@grpc/grpc-js";
import type { Message } from "protobufjs";
import type { Authorizer, CheckResponse } from "../authz/index.js";
import { AuthzError } from "../errors.js";
import {
  createRequestDecoder,
  createResponseEncoder,
  isUndecodable,
  type UndecodableRequest,
} from "./codec.js";
import { createHealthService } from "./health.js";
import type { Protos } from "./protos.js";
import { createReceiveGuard } from "./receive-guard.js";
import type { Reflection } from "./reflection.js";

const AUTHZ_SERVICE = "envoy.service.auth.v3.Authorization";
const CHECK_PATH = `/${AUTHZ_SERVICE}/Check`;

const INTERNAL_DENY: CheckResponse = {
  status: { code: 7, message: "internal" },
  deniedResponse: { status: { code: 403 }, body: "internal" },
};

/** What the gRPC server needs from the rest of the sidecar. */
export interface GrpcServerDeps {
  protos: Protos;
  /** Decides each CheckRequest as protobufjs decoded it. */
  authorizer: Authorizer<Message>;
  /** Told about Check calls rejected before the pipeline. */
  onRejected(reason: string): void;
  /** Server reflection could not be added (the server serves on without it). */
  onReflectionError?(error: Error): void;
  /** Told the gRPC status name (`OK`, `INVALID_ARGUMENT`, …) each Check call ends with. */
  onCheckCall?(grpcCode: string): void;
}

/** Options resolved from the config. */
export interface GrpcServerOptions {
  /** `host:port` or `unix:///path`. */
  address: string;
  /** Largest accepted message; larger is RESOURCE_EXHAUSTED. */
  maxRequestBytes: number;
  /** Longest a call may take to deliver its request, ms; then DEADLINE_EXCEEDED. */
  receiveTimeoutMs: number;
  /** Bytes all calls still receiving may hold together; the oldest are shed past it. */
  maxBufferedBytes: number;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS announced on every connection. */
  maxConcurrentStreams: number;
  /** Node's per-connection HTTP/2 session memory (nghttp2 state and unsent frames), MiB. */
  maxSessionMemoryMiB: number;
  /** A TCP `host:port` serving only gRPC health, for Kubernetes probes. */
  probeAddress?: string;
  /**
   * Server reflection (`prepareReflection`), added to the running server once it settles; off
   * when absent or settled undefined, and off (told to `onReflectionError`) when it rejects.
   */
  reflection?: Promise<Reflection | undefined>;
}

/** The running gRPC server. */
export interface GrpcServer {
  /** The bound address (`127.0.0.1:port` with the real port, or the unix socket path). */
  readonly address: string;
  /** Health: SERVING once a policy is loaded, NOT_SERVING otherwise. */
  setServing(serving: boolean): void;
  /** Settles once server reflection is served (or is off, or failed). */
  readonly reflection: Promise<void>;
  /** Stops accepting calls, waits up to `graceMs` for in-flight ones, then closes. */
  shutdown(graceMs: number): Promise<void>;
}

/**
 * Serves `envoy.service.auth.v3.Authorization/Check`, `grpc.health.v1.Health` and server
 * reflection. The Check payload is decoded by protobufjs directly (so the input document is built
 * from the wire message once); an undecodable payload is INVALID_ARGUMENT. Calls still receiving
 * their request are bounded in time and bytes by one receive guard (receive-guard.ts), and each
 * HTTP/2 connection in streams and session memory (docs/transport-limits.md).
 */
export async function startGrpcServer(
  deps: GrpcServerDeps,
  options: GrpcServerOptions,
): Promise<GrpcServer> {
  // One guard, so the main and the probe listener share one receive budget (docs/transport-limits.md).
  const guard = createReceiveGuard(
    {
      onRejected: deps.onRejected,
      onStatus: (path, code) => {
        if (path === CHECK_PATH) deps.onCheckCall?.(grpc.status[code] ?? String(code));
      },
    },
    options,
  );
  const serverOptions: grpc.ServerOptions = {
    "grpc.max_receive_message_length": options.maxRequestBytes,
    "grpc.max_send_message_length": 4 * 1024 * 1024,
    "grpc.max_concurrent_streams": options.maxConcurrentStreams,
    "grpc-node.max_session_memory": options.maxSessionMemoryMiB,
    // No channelz service is served; its per-call bookkeeping would be pure cost.
    "grpc.enable_channelz": 0,
    interceptors: [guard],
  };
  const server = new grpc.Server(serverOptions);
  const definition = authorizationService(deps);
  server.addService(definition.service, definition.implementation);
  const health = createHealthService(deps.protos, {
    "": "NOT_SERVING",
    [AUTHZ_SERVICE]: "NOT_SERVING",
  });
  health.addToServer(server);
  const address = await bind(server, options.address);
  // Reflection is for people with grpcurl, not for Envoy: it does not hold the server back, and
  // grpc-js routes calls by name at call time, so the service is added to the running server.
  const reflection = options.reflection
    ? options.reflection
        .then((prepared) => prepared?.addTo(server))
        .catch((error: Error) => deps.onReflectionError?.(error))
    : Promise.resolve();
  // Kubelet's native gRPC probes need a TCP port; this one serves grpc.health.v1 and nothing else.
  const probe = options.probeAddress ? new grpc.Server(serverOptions) : undefined;
  if (probe && options.probeAddress) {
    health.addToServer(probe);
    await bind(probe, options.probeAddress);
  }
  return {
    address,
    reflection,
    setServing(serving) {
      const status = serving ? "SERVING" : "NOT_SERVING";
      health.setStatus("", status);
      health.setStatus(AUTHZ_SERVICE, status);
    },
    shutdown(graceMs) {
      probe?.forceShutdown();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

/** Binds `host:port` or `unix:///path`; returns the bound address (the real port for port 0). */
async function bind(server: grpc.Server, address: string): Promise<string> {
  const target = await prepareAddress(address);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(target, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error
        ? reject(new AuthzError("listen_failed", `cannot listen on ${address}: ${error.message}`))
        : resolve(bound),
    ),
  );
  return target.startsWith("unix:") ? target : target.replace(/:\d+$/, `:${port}`);
}

function authorizationService(deps: GrpcServerDeps) {
  const decode = createRequestDecoder(deps.protos.checkRequest);
  const encode = createResponseEncoder(deps.protos.checkResponse);
  const service: grpc.ServiceDefinition = {
    Check: {
      path: CHECK_PATH,
      requestStream: false,
      responseStream: false,
      requestSerialize: () => Buffer.alloc(0),
      requestDeserialize: decode,
      responseSerialize: encode,
      responseDeserialize: () => ({}),
    },
  };
  const check: grpc.handleUnaryCall<Message | UndecodableRequest, CheckResponse> = (
    call,
    callback,
  ) => {
    if (isUndecodable(call.request)) {
      deps.onRejected("undecodable");
      callback({
        code: grpc.status.INVALID_ARGUMENT,
        details: "CheckRequest could not be decoded",
      });
      return;
    }
    deps.authorizer.check(call.request).then(
      (outcome) => callback(null, outcome.response),
      // The authorizer never rejects; if it ever does, Envoy still gets a deny, not a hang.
      () => callback(null, INTERNAL_DENY),
    );
  };
  return { service, implementation: { Check: check } };
}

/** `unix:///path` → `unix:/path`, removing a stale socket file left by a previous run. */
async function prepareAddress(address: string): Promise<string> {
  if (!address.startsWith("unix://")) return address;
  const path = address.slice("unix://".length);
  // In a cluster worker the socket is shared through the supervisor, which cleared it already.
  const existing = cluster.isWorker ? undefined : await lstat(path).catch(() => undefined);
  if (existing?.isSocket()) await unlink(path);
  return `unix:${path}`;
}

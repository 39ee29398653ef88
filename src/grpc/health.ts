import * as grpc from "@grpc/grpc-js";
import type { Message, Type } from "protobufjs";
import type { Protos } from "./protos.js";

/** `grpc.health.v1.HealthCheckResponse.ServingStatus`, as the sidecar sets it. */
export type ServingStatus = "SERVING" | "NOT_SERVING";

/** The health service: statuses by service name, served to any number of servers. */
export interface HealthService {
  setStatus(service: string, status: ServingStatus): void;
  addToServer(server: grpc.Server): void;
}

/** grpc-health-check's bound on `List` (the protocol's RESOURCE_EXHAUSTED case). */
const LIST_LIMIT = 100;

/**
 * `grpc.health.v1.Health` (Check, Watch, List) as grpc-node's grpc-health-check serves it, over the
 * protobufjs types the sidecar loads anyway ({@link Protos}): that package loads its own
 * proto-loader and protobufjs at start, some 70 ms of a 0.5 s start-up, for three calls. An
 * unknown service is NOT_FOUND on Check and SERVICE_UNKNOWN on Watch.
 */
export function createHealthService(
  protos: Protos,
  initial: Record<string, ServingStatus>,
): HealthService {
  const statuses = new Map(Object.entries(initial));
  const watchers = new Map<string, Set<(status: ServingStatus) => void>>();
  const { healthCheckRequest, healthCheckResponse, healthListResponse } = protos;
  const method = (name: string, response: Type, responseStream: boolean) => ({
    path: `/grpc.health.v1.Health/${name}`,
    requestStream: false,
    responseStream,
    requestSerialize: () => Buffer.alloc(0),
    requestDeserialize: (bytes: Buffer) => healthCheckRequest.decode(bytes),
    responseSerialize: (value: object) =>
      Buffer.from(response.encode(response.fromObject(value)).finish()),
    responseDeserialize: () => ({}),
  });
  const definition: grpc.ServiceDefinition = {
    Check: method("Check", healthCheckResponse, false),
    Watch: method("Watch", healthCheckResponse, true),
    List: method("List", healthListResponse, false),
  };
  const serviceOf = (request: Message) => (request as unknown as { service: string }).service;
  const implementation: grpc.UntypedServiceImplementation = {
    Check(call: grpc.ServerUnaryCall<Message, object>, callback: grpc.sendUnaryData<object>) {
      const service = serviceOf(call.request);
      const status = statuses.get(service);
      if (status) callback(null, { status });
      else
        callback({
          code: grpc.status.NOT_FOUND,
          details: `Health status unknown for service ${service}`,
        });
    },
    Watch(call: grpc.ServerWritableStream<Message, object>) {
      const service = serviceOf(call.request);
      const watcher = (status: ServingStatus) => call.write({ status });
      const set = watchers.get(service) ?? new Set();
      set.add(watcher);
      watchers.set(service, set);
      call.on("cancelled", () => set.delete(watcher));
      call.write({ status: statuses.get(service) ?? "SERVICE_UNKNOWN" });
    },
    List(_call: grpc.ServerUnaryCall<Message, object>, callback: grpc.sendUnaryData<object>) {
      if (statuses.size > LIST_LIMIT) {
        callback({ code: grpc.status.RESOURCE_EXHAUSTED, details: "Too many services to list." });
        return;
      }
      const listed: Record<string, { status: ServingStatus }> = {};
      for (const [service, status] of statuses) listed[service] = { status };
      callback(null, { statuses: listed });
    },
  };
  return {
    setStatus(service, status) {
      statuses.set(service, status);
      for (const watcher of watchers.get(service) ?? []) watcher(status);
    },
    addToServer: (server) => server.addService(definition, implementation),
  };
}

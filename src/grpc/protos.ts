import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import protobuf from "protobufjs";
import { PACKAGE_ROOT } from "../package-root.js";

/** The `proto/` folder shipped with the package (Envoy's ext_authz v3 API and dependencies). */
export const PROTO_DIR = join(PACKAGE_ROOT, "proto");

const PROTOBUFJS_DIR = dirname(createRequire(import.meta.url).resolve("protobufjs/package.json"));

const EXT_AUTHZ_PROTO = "envoy/service/auth/v3/external_auth.proto";
const HEALTH_PROTO = "grpc/health/v1/health.proto";

/** Where `scripts/setup` writes the compiled FileDescriptorSet (for server reflection). */
export const DESCRIPTOR_SET = join(PACKAGE_ROOT, "build/proto/descriptors.binpb");

/** The message types the codec and the CLI use. */
export interface Protos {
  checkRequest: protobuf.Type;
  checkResponse: protobuf.Type;
  httpStatusCode: protobuf.Enum;
  healthCheckRequest: protobuf.Type;
  healthCheckResponse: protobuf.Type;
  healthListResponse: protobuf.Type;
}

/** Loads the `.proto` files once at start. Throws if a file is missing or malformed. */
export function loadProtos(protoDir = PROTO_DIR): Protos {
  const root = new protobuf.Root();
  // Well-known types come from protobufjs itself (built in, or its bundled descriptor.proto).
  root.resolvePath = (_origin, target) => {
    if (!target.startsWith("google/protobuf/")) return join(protoDir, target);
    return target.endsWith("descriptor.proto") ? join(PROTOBUFJS_DIR, target) : target;
  };
  root.loadSync([EXT_AUTHZ_PROTO, HEALTH_PROTO], { keepCase: false });
  root.resolveAll();
  return {
    checkRequest: root.lookupType("envoy.service.auth.v3.CheckRequest"),
    checkResponse: root.lookupType("envoy.service.auth.v3.CheckResponse"),
    httpStatusCode: root.lookupEnum("envoy.type.v3.StatusCode"),
    healthCheckRequest: root.lookupType("grpc.health.v1.HealthCheckRequest"),
    healthCheckResponse: root.lookupType("grpc.health.v1.HealthCheckResponse"),
    healthListResponse: root.lookupType("grpc.health.v1.HealthListResponse"),
  };
}

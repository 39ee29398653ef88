export { createRequestDecoder, createResponseEncoder } from "./codec.js";
export { fromProtoJson } from "./proto-json.js";
export { DESCRIPTOR_SET, loadProtos, PROTO_DIR, type Protos } from "./protos.js";
export {
  type GrpcServer,
  type GrpcServerDeps,
  type GrpcServerOptions,
  startGrpcServer,
} from "./server.js";

export { createRequestDecoder, createResponseEncoder } from "./codec.js";
export { fromProtoJson } from "./proto-json.js";
export { DESCRIPTOR_SET, loadProtos, type Protos } from "./protos.js";
export { prepareReflection } from "./reflection.js";
export { startGrpcServer } from "./server.js";

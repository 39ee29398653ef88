// The floor: a grpc-js ext_authz server that answers OK to everything, loaded from the same
// protos. Usage: node bench/null-server.mjs PORT
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";

const definition = loadSync("envoy/service/auth/v3/external_auth.proto", {
  includeDirs: ["proto"],
  keepCase: false,
  longs: String,
  enums: String,
  defaults: false,
  oneofs: true,
});
const { envoy } = grpc.loadPackageDefinition(definition);
const server = new grpc.Server({ "grpc.enable_channelz": 0 }); // as our sidecar runs it
server.addService(envoy.service.auth.v3.Authorization.service, {
  Check: (_call, callback) => callback(null, { status: { code: 0 }, okResponse: {} }),
});
server.bindAsync(
  `127.0.0.1:${process.argv[2]}`,
  grpc.ServerCredentials.createInsecure(),
  (error) => {
    if (error) throw error;
    console.log("serving");
  },
);
process.on("SIGTERM", () => server.forceShutdown());

import type * as grpc from "@grpc/grpc-js";
import type { PackageDefinition } from "@grpc/proto-loader";
import protobuf from "protobufjs";

/** Server reflection, built before there is a server to add it to. */
export interface Reflection {
  addTo(server: grpc.Server): void;
}

/**
 * Server reflection (v1 and v1alpha) answering from a `FileDescriptorSet` compiled from
 * `proto/` by buf at build time. Descriptors re-derived by proto-loader carry relative type names
 * and wrong map entry names that grpcurl rejects (grpc/grpc-node#2958, #3018), so the reflection
 * service is given the compiler's own FileDescriptorProtos instead.
 */
export async function prepareReflection(descriptorSet: Uint8Array): Promise<Reflection> {
  // Imported here, not at the top: the bundle (scripts/bundle.mjs) leaves @grpc/reflection to
  // node_modules, and an external import at the top of a module is loaded at start.
  const { ReflectionService } = await import("@grpc/reflection");
  const files = splitDescriptorSet(descriptorSet);
  const definition = {
    descriptors: { fileDescriptorProtos: files },
  } as unknown as PackageDefinition;
  const service = new ReflectionService(definition);
  return { addTo: (server) => service.addToServer(server) };
}

/** `FileDescriptorSet.file` (field 1, repeated) as the encoded FileDescriptorProtos. */
function splitDescriptorSet(bytes: Uint8Array): Buffer[] {
  const reader = protobuf.Reader.create(bytes);
  const files: Buffer[] = [];
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 2) files.push(Buffer.from(reader.bytes()));
    else reader.skipType(tag & 7);
  }
  return files;
}

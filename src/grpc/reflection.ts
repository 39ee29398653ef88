import { EventEmitter } from "node:events";
import * as grpc from "@grpc/grpc-js";
import type { PackageDefinition } from "@grpc/proto-loader";
import protobuf from "protobufjs";

/** Server reflection, built before there is a server to add it to. */
export interface Reflection {
  addTo(server: grpc.Server): void;
}

/** The reflection services @grpc/reflection serves, each with its one bidirectional method. */
const PACKAGES = ["grpc.reflection.v1", "grpc.reflection.v1alpha"] as const;
const SERVICE = "ServerReflection";
const METHOD = "ServerReflectionInfo";

/** A reflection method as @grpc/reflection adds it: its codec, and its handler of one stream. */
interface Served {
  method: grpc.MethodDefinition<object, object>;
  handle(stream: grpc.ServerDuplexStream<object, object>): void;
}

/**
 * Server reflection (v1 and v1alpha) answering from a `FileDescriptorSet` compiled from
 * `proto/` by buf at build time. Descriptors re-derived by proto-loader carry relative type names
 * and wrong map entry names that grpcurl rejects (grpc/grpc-node#2958, #3018), so the reflection
 * service is given the compiler's own FileDescriptorProtos instead.
 *
 * @grpc/reflection (its own proto-loader and protobufjs, which parse its .proto files) loads on
 * the first reflection call, not at start-up, where it took ~70 ms of the main thread before the
 * first Check (more beside the evaluation threads' warm-up): the services are added now with
 * their messages as bytes, and each call's bytes are decoded, answered and encoded by the
 * library's own codec and handler once it has loaded. That first call waits for it (~0.1 s, the
 * event loop too, once per process).
 */
export async function prepareReflection(descriptorSet: Uint8Array): Promise<Reflection> {
  const files = splitDescriptorSet(descriptorSet);
  let loading: Promise<Map<string, Served>> | undefined;
  const served = () => {
    loading ??= loadReflection(files);
    return loading;
  };
  return {
    addTo(server) {
      for (const name of PACKAGES) {
        const path = `/${name}.${SERVICE}/${METHOD}`;
        const definition: grpc.ServiceDefinition = {
          [METHOD]: {
            path,
            requestStream: true,
            responseStream: true,
            requestSerialize: (bytes: Buffer) => bytes,
            requestDeserialize: (bytes: Buffer) => bytes,
            responseSerialize: (bytes: Buffer) => bytes,
            responseDeserialize: (bytes: Buffer) => bytes,
          },
        };
        server.addService(definition, {
          [METHOD]: (call: grpc.ServerDuplexStream<Buffer, Buffer>) =>
            relay(call, () => served().then((all) => all.get(path))),
        });
      }
    },
  };
}

/** @grpc/reflection over `files`: what it would add to a server, by method path. */
async function loadReflection(files: Buffer[]): Promise<Map<string, Served>> {
  // Imported here: the bundle (scripts/bundle.mjs) leaves @grpc/reflection to node_modules, and
  // an external import at the top of a module is loaded at start.
  const { ReflectionService } = await import("@grpc/reflection");
  const definition = {
    descriptors: { fileDescriptorProtos: files },
  } as unknown as PackageDefinition;
  const served = new Map<string, Served>();
  new ReflectionService(definition).addToServer({
    addService(service, implementation) {
      const method = service[METHOD] as grpc.MethodDefinition<object, object> | undefined;
      const handle = (implementation as Record<string, unknown>)[METHOD];
      if (method && typeof handle === "function")
        served.set(method.path, { method, handle: handle as Served["handle"] });
    },
  });
  return served;
}

/**
 * One reflection call: its request bytes, in order, to the library's handler once `served`
 * resolves, decoded by the library's codec; its answers encoded back. A request that does not
 * decode, or a library that failed to load, ends the call with an error status.
 */
function relay(
  call: grpc.ServerDuplexStream<Buffer, Buffer>,
  served: () => Promise<Served | undefined>,
): void {
  let failed = false;
  const fail = (code: grpc.status, details: string) => {
    if (!failed) call.emit("error", { code, details });
    failed = true;
    return undefined;
  };
  /** The stream the library's handler reads and writes: this call's, in decoded messages. */
  const open = ({ method, handle }: Served): Stream => {
    const stream = Object.assign(new EventEmitter(), {
      write: (message: object) => call.write(method.responseSerialize(message)),
      end: () => call.end(),
    });
    handle(stream as unknown as grpc.ServerDuplexStream<object, object>);
    return { stream, decode: method.requestDeserialize };
  };
  // Never rejects: each step's failure ends the call instead.
  let queue = served().then(
    (found) => {
      if (!found) return fail(grpc.status.UNIMPLEMENTED, "no server reflection");
      try {
        return open(found);
      } catch (error) {
        return fail(grpc.status.INTERNAL, `server reflection: ${(error as Error).message}`);
      }
    },
    (error: Error) => fail(grpc.status.UNAVAILABLE, `server reflection: ${error.message}`),
  );
  const next = (step: (opened: Stream) => void) => {
    queue = queue.then((opened) => {
      if (!opened || failed) return opened;
      try {
        step(opened);
      } catch (error) {
        fail(grpc.status.INTERNAL, `server reflection: ${(error as Error).message}`);
      }
      return opened;
    });
  };
  call.on("data", (bytes: Buffer) =>
    next(({ stream, decode }) => {
      let request: object;
      try {
        request = decode(bytes);
      } catch {
        fail(grpc.status.INVALID_ARGUMENT, "ServerReflectionRequest could not be decoded");
        return;
      }
      stream.emit("data", request);
    }),
  );
  call.on("end", () => next(({ stream }) => stream.emit("end")));
}

interface Stream {
  stream: EventEmitter;
  decode(bytes: Buffer): object;
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

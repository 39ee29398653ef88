import * as grpc from "@grpc/grpc-js";
import type protobuf from "protobufjs";
import { fromProtoJson, loadProtos } from "../../src/grpc/index.js";
import { structToJson } from "../../src/input/index.js";

export const protos = loadProtos();

/** What a Check call came back with: a decoded CheckResponse, or a gRPC error status. */
export type CallResult =
  | { ok: true; response: Record<string, unknown> }
  | { ok: false; code: grpc.status; details: string };

const passthrough = (bytes: Buffer) => bytes;

/**
 * A raw-bytes client for `Authorization/Check`, so any payload can be sent. `channelOptions`
 * are grpc-js channel options (`grpc.use_local_subchannel_pool: 1` for a connection of its own).
 */
export function checkClient(address: string, channelOptions: grpc.ChannelOptions = {}) {
  const Client = grpc.makeGenericClientConstructor(
    {
      Check: {
        path: "/envoy.service.auth.v3.Authorization/Check",
        requestStream: false,
        responseStream: false,
        requestSerialize: passthrough,
        requestDeserialize: passthrough,
        responseSerialize: passthrough,
        responseDeserialize: passthrough,
      },
    },
    "Authorization",
  );
  const client = new Client(address, grpc.credentials.createInsecure(), {
    "grpc.max_send_message_length": 64 * 1024 * 1024,
    "grpc.max_receive_message_length": 64 * 1024 * 1024,
    ...channelOptions,
  });
  return {
    /** Sends raw bytes. */
    sendBytes(payload: Buffer): Promise<CallResult> {
      return new Promise((resolve) => {
        client.makeUnaryRequest(
          "/envoy.service.auth.v3.Authorization/Check",
          passthrough,
          passthrough,
          payload,
          { deadline: Date.now() + 30_000 },
          (error: grpc.ServiceError | null, bytes?: Buffer) => {
            if (error) resolve({ ok: false, code: error.code, details: error.details });
            else resolve({ ok: true, response: decodeResponse(bytes as Buffer) });
          },
        );
      });
    },
    /** Sends a CheckRequest written in protobuf JSON. */
    check(request: unknown): Promise<CallResult> {
      return this.sendBytes(encodeRequest(request));
    },
    close: () => client.close(),
  };
}

/** `OK`, the denied HTTP status's name (`TooManyRequests`), `denied`, or `grpc <code>`. */
export function statusOf(r: CallResult): string {
  if (!r.ok) return `grpc ${r.code}`;
  const denied = r.response.deniedResponse as { status?: { code?: string } } | undefined;
  if (denied?.status?.code) return denied.status.code;
  return (r.response.status as { code?: number } | undefined)?.code ? "denied" : "OK";
}

/** One answer of {@link steadyChecks}: its status and denial body, how long it took, when it came. */
export interface SteadyAnswer {
  status: string;
  body?: string;
  ms: number;
  /** When it came, ms since epoch. */
  at: number;
  decisionId?: string;
}

/**
 * Checks `request()` on the sidecar at `address` one after another, `everyMs` apart, until
 * `stop()` (which resolves with every answer); `answers` grows meanwhile.
 */
export function steadyChecks(address: string, request: () => unknown, everyMs = 20) {
  const answers: SteadyAnswer[] = [];
  let running = true;
  const client = checkClient(address);
  const done = (async () => {
    while (running) {
      const started = Date.now();
      const result = await client.check(request());
      const response = result.ok ? result.response : {};
      const body = (response.deniedResponse as { body?: string } | undefined)?.body;
      const id = (response.dynamicMetadata as { decision_id?: string } | undefined)?.decision_id;
      const at = Date.now();
      const answer: SteadyAnswer = { status: statusOf(result), ms: at - started, at };
      if (body) answer.body = body;
      if (id) answer.decisionId = id;
      answers.push(answer);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
    client.close();
  })();
  return {
    answers,
    stop: async () => {
      running = false;
      await done;
      return answers;
    },
  };
}

/** A protobuf-JSON CheckRequest as wire bytes. */
export function encodeRequest(request: unknown): Buffer {
  return Buffer.from(
    protos.checkRequest.encode(fromProtoJson(protos.checkRequest, request)).finish(),
  );
}

/**
 * A CheckResponse as plain JSON: enums by name, defaults left out, and dynamic_metadata as JSON
 * through the sidecar's own Struct reader (`structToJson`, what the input builder uses too).
 */
export function decodeResponse(bytes: Buffer): Record<string, unknown> {
  const message = protos.checkResponse.decode(bytes) as protobuf.Message & {
    dynamicMetadata?: Record<string, unknown>;
  };
  const object = protos.checkResponse.toObject(message, {
    enums: String,
    longs: String,
    defaults: false,
    oneofs: false,
  });
  if (message.dynamicMetadata) object.dynamicMetadata = structToJson(message.dynamicMetadata);
  return object;
}

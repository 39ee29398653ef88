import type protobuf from "protobufjs";
import type { CheckResponse } from "../authz/index.js";
import { toStruct } from "../input/index.js";

/** A Check payload that did not decode as a CheckRequest. */
export interface UndecodableRequest {
  decodeError: string;
}

/** Decodes a CheckRequest; never throws, so a bad payload becomes INVALID_ARGUMENT, not INTERNAL. */
export function createRequestDecoder(type: protobuf.Type) {
  return (bytes: Buffer): protobuf.Message | UndecodableRequest => {
    try {
      return type.decode(bytes);
    } catch (error) {
      return { decodeError: (error as Error).message };
    }
  };
}

export function isUndecodable(request: unknown): request is UndecodableRequest {
  return typeof request === "object" && request !== null && "decodeError" in request;
}

/** Encodes a CheckResponse; `dynamicMetadata` (plain JSON) becomes a `google.protobuf.Struct`. */
export function createResponseEncoder(type: protobuf.Type) {
  return (response: CheckResponse): Buffer => {
    const { dynamicMetadata, ...rest } = response;
    const message = type.fromObject({
      ...rest,
      ...(dynamicMetadata ? { dynamicMetadata: toStruct(dynamicMetadata) } : {}),
    });
    return Buffer.from(type.encode(message).finish());
  };
}

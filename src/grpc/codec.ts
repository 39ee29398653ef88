import protobuf from "protobufjs";
import type { CheckResponse } from "../authz/index.js";
import { toStruct } from "../input/index.js";

/** A Check payload that did not decode as a CheckRequest. */
export interface UndecodableRequest {
  decodeError: string;
}

/**
 * A reader whose proto3 strings (UTF-8 checked) decode natively: protobufjs's own check builds
 * every string under 64 bytes a character at a time, most of a CheckRequest's headers. Node's
 * decoder turns invalid bytes into U+FFFD, so only a string holding U+FFFD is read again by
 * protobufjs's check, which refuses invalid UTF-8 with its own error.
 */
class NativeUtf8Reader extends protobuf.BufferReader {
  override stringVerify(): string {
    const start = this.pos;
    const text = this.string();
    if (!text.includes("\uFFFD")) return text;
    this.pos = start;
    return super.stringVerify();
  }
}

/** Decodes a CheckRequest; never throws, so a bad payload becomes INVALID_ARGUMENT, not INTERNAL. */
export function createRequestDecoder(type: protobuf.Type) {
  return (bytes: Buffer): protobuf.Message | UndecodableRequest => {
    try {
      return type.decode(new NativeUtf8Reader(bytes));
    } catch (error) {
      return { decodeError: (error as Error).message };
    }
  };
}

export function isUndecodable(request: unknown): request is UndecodableRequest {
  return typeof request === "object" && request !== null && "decodeError" in request;
}

/**
 * Encodes a CheckResponse; `dynamicMetadata` (plain JSON) becomes a `google.protobuf.Struct`.
 * The response is already in protobufjs's object form (numbers for enums, the types' field
 * names), so it is encoded as it is, without `fromObject`'s copy into message instances.
 */
export function createResponseEncoder(type: protobuf.Type) {
  return (response: CheckResponse): Buffer => {
    const { dynamicMetadata } = response;
    const message = dynamicMetadata
      ? { ...response, dynamicMetadata: toStruct(dynamicMetadata) }
      : response;
    // In Node, protobufjs writes into a Buffer of its own.
    return type.encode(message).finish() as Buffer;
  };
}

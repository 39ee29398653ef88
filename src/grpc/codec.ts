import type protobuf from "protobufjs";
import type { CheckResponse } from "../authz/index.js";

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

/** Plain JSON to the protobuf `Struct` object form. */
export function toStruct(json: Record<string, unknown>): { fields: Record<string, unknown> } {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) fields[key] = toValue(value);
  return { fields };
}

function toValue(value: unknown): unknown {
  if (value === null || value === undefined) return { nullValue: 0 };
  if (typeof value === "number") return { numberValue: value };
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(toValue) } };
  if (typeof value === "object") return { structValue: toStruct(value as Record<string, unknown>) };
  return { stringValue: String(value) };
}

import Long from "long";
import type { Field, Message, Type } from "protobufjs";
import { type JsonValue, toJsonNumber } from "./json-value.js";
import { structToJson } from "./struct.js";

type Fields = Record<string, unknown>;

/**
 * Converts a decoded protobuf message into the document opa-envoy-plugin's `protomap` builds:
 * lowerCamelCase JSON names; only populated fields (proto3 zero values omitted, explicit-presence
 * fields kept when set); int64 as numbers (exact, see {@link toJsonNumber}); enums as numbers;
 * bytes as standard base64; `google.protobuf.Struct` as plain JSON; every other message,
 * Timestamp and Any included, as an object of its own fields (`{"seconds": …, "nanos": …}`).
 * Map keys come out sorted, as Go's encoding/json writes them, so equal requests serialize
 * equally whatever order Envoy sent the headers in (the cache key relies on it).
 */
export function protoDocument(type: Type, message: Message | Fields): { [key: string]: JsonValue } {
  if (isStruct(type)) return structToJson(message as Fields);
  const fields = message as Fields;
  const out: { [key: string]: JsonValue } = {};
  for (const field of type.fieldsArray) {
    const value = fields[field.name];
    if (!isPopulated(field, fields, value)) continue;
    out[jsonName(field)] = fieldValue(field, value);
  }
  return out;
}

function isPopulated(field: Field, message: Fields, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (field.map) return Object.keys(value as object).length > 0;
  if (field.repeated) return (value as unknown[]).length > 0;
  if (field.resolvedType && !isEnum(field)) return true;
  const explicitPresence = field.partOf !== null || field.options?.proto3_optional === true;
  if (explicitPresence) return Object.hasOwn(message, field.name);
  return !isZero(value);
}

function isZero(value: unknown): boolean {
  if (Long.isLong(value)) return (value as Long).isZero();
  if (value instanceof Uint8Array || Array.isArray(value)) return value.length === 0;
  return value === 0 || value === "" || value === false;
}

function fieldValue(field: Field, value: unknown): JsonValue {
  if (field.map) {
    const out: { [key: string]: JsonValue } = {};
    for (const key of Object.keys(value as Fields).sort())
      out[key] = scalarOrMessage(field, (value as Fields)[key]);
    return out;
  }
  if (field.repeated) return (value as unknown[]).map((item) => scalarOrMessage(field, item));
  return scalarOrMessage(field, value);
}

function scalarOrMessage(field: Field, value: unknown): JsonValue {
  const resolved = field.resolvedType;
  if (resolved && !isEnum(field)) return protoDocument(resolved as Type, value as Fields);
  if (Long.isLong(value)) return toJsonNumber((value as Long).toString());
  if (field.type === "bytes") return Buffer.from(value as Uint8Array).toString("base64");
  return value as JsonValue;
}

const structTypes = new WeakMap<Type, boolean>();

/** Memoized: protobufjs computes `fullName` by walking the namespace tree on every read. */
function isStruct(type: Type): boolean {
  let struct = structTypes.get(type);
  if (struct === undefined) {
    struct = type.fullName === ".google.protobuf.Struct";
    structTypes.set(type, struct);
  }
  return struct;
}

const jsonNames = new WeakMap<Field, string>();

/** protoc's JSON name: lowerCamelCase (protobufjs keeps some well-known types' snake_case). */
export function jsonName(field: Field): string {
  let name = jsonNames.get(field);
  if (name === undefined) {
    name = field.name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    jsonNames.set(field, name);
  }
  return name;
}

function isEnum(field: Field): boolean {
  return field.resolvedType !== null && "values" in field.resolvedType;
}

import type { JsonValue } from "./json-value.js";

type Fields = Record<string, unknown>;

/**
 * `google.protobuf.Struct` and plain JSON, both ways: the one place that knows the Struct and
 * Value shapes. {@link structToJson} reads a decoded Struct (the CheckRequest's metadata, a
 * CheckResponse's dynamic_metadata); {@link toStruct} builds the object form protobufjs's
 * `fromObject` encodes.
 */

/** `structpb.Struct.AsMap`: numbers are float64, `null_value` is null; keys come out sorted. */
export function structToJson(struct: Fields): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  const fields = (struct.fields ?? {}) as Fields;
  for (const key of Object.keys(fields).sort()) out[key] = valueToJson(fields[key] as Fields);
  return out;
}

/** A decoded `google.protobuf.Value` (read through protobufjs's virtual `kind` oneof). */
function valueToJson(value: Fields): JsonValue {
  switch (value.kind) {
    case "numberValue":
      return value.numberValue as number;
    case "stringValue":
      return value.stringValue as string;
    case "boolValue":
      return value.boolValue as boolean;
    case "structValue":
      return structToJson(value.structValue as Fields);
    case "listValue":
      return (((value.listValue as Fields).values ?? []) as Fields[]).map(valueToJson);
    default:
      return null;
  }
}

/** Plain JSON to the protobuf `Struct` object form; `undefined` becomes `null_value`. */
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

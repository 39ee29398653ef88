import protobuf from "protobufjs";
import { jsonName, toStruct } from "../input/index.js";

/**
 * Turns a message in protobuf JSON (proto3 JSON mapping; lowerCamelCase or original snake_case
 * field names) into a protobufjs message of `type`. protobufjs's own `fromObject` covers the
 * scalars (int64 strings, enum names, base64 bytes); this adds the field-name forms and the
 * well-known types whose JSON form differs from their fields: Timestamp, Duration, Struct, Value,
 * ListValue and the wrappers. Throws Error naming the field on a value of the wrong form.
 */
export function fromProtoJson(type: protobuf.Type, json: unknown): protobuf.Message {
  return type.fromObject(messageObject(type, json, type.name) as Record<string, unknown>);
}

function messageObject(type: protobuf.Type, json: unknown, where: string): unknown {
  switch (type.fullName) {
    case ".google.protobuf.Timestamp":
      return timestamp(json, where);
    case ".google.protobuf.Duration":
      return duration(json, where);
    case ".google.protobuf.Struct":
      return toStruct(expectObject(json, where));
    case ".google.protobuf.Value":
      return (toStruct({ v: json }).fields as { v: unknown }).v;
    case ".google.protobuf.ListValue":
      return {
        values: expectArray(json, where).map((v) => (toStruct({ v }).fields as { v: unknown }).v),
      };
  }
  if (type.fullName.startsWith(".google.protobuf.") && type.fullName.endsWith("Value"))
    return { value: json };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(expectObject(json, where))) {
    const field =
      type.fields[key] ??
      type.fieldsArray.find((f) => key === snakeCase(f.name) || key === jsonName(f));
    if (!field) throw new Error(`${where}: unknown field "${key}"`);
    out[field.name] = fieldValue(field, value, `${where}.${key}`);
  }
  return out;
}

function fieldValue(field: protobuf.Field, value: unknown, where: string): unknown {
  field.resolve();
  const resolved = field.resolvedType;
  if (value === null) return undefined;
  if (!(resolved instanceof protobuf.Type)) return value;
  if (field.map) {
    return Object.fromEntries(
      Object.entries(expectObject(value, where)).map(([k, v]) => [
        k,
        messageObject(resolved, v, `${where}.${k}`),
      ]),
    );
  }
  if (field.repeated)
    return expectArray(value, where).map((v, i) => messageObject(resolved, v, `${where}[${i}]`));
  return messageObject(resolved, value, where);
}

/** RFC 3339 (`2026-01-01T00:00:00.123Z`) to `{seconds, nanos}`. */
function timestamp(json: unknown, where: string) {
  const parts = typeof json === "string" ? splitTimestamp(json) : undefined;
  const millis = parts ? Date.parse(`${parts.dateTime}${parts.zone}`) : Number.NaN;
  if (!parts || Number.isNaN(millis)) throw new Error(`${where}: not an RFC 3339 timestamp`);
  return {
    seconds: String(Math.floor(millis / 1000)),
    nanos: Number(parts.fraction.padEnd(9, "0")),
  };
}

const ZONE_OFFSET = /^[+-]\d\d:\d\d$/;
const FRACTION = /^\d{1,9}$/;

/**
 * `date T time [.fraction] zone`, split from the end in linear time. (It was one regex,
 * `^(.+T[^.Z+-]+)(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$`, whose `.+` and `[^.Z+-]+` overlap: n² steps.)
 * The date and time are left to `Date.parse`; this only finds the pieces.
 */
function splitTimestamp(text: string) {
  const zoneLength = text.endsWith("Z") ? 1 : 6;
  const zone = text.slice(-zoneLength);
  if (zone !== "Z" && !ZONE_OFFSET.test(zone)) return undefined;
  let dateTime = text.slice(0, -zoneLength);
  let fraction = "";
  const dot = dateTime.lastIndexOf(".");
  if (dot !== -1 && FRACTION.test(dateTime.slice(dot + 1))) {
    fraction = dateTime.slice(dot + 1);
    dateTime = dateTime.slice(0, dot);
  }
  // A `T` with something before it and, after it, at least one character and none of `.Z+-`.
  let last = dateTime.length - 1;
  while (last >= 0 && !".Z+-".includes(dateTime[last] as string)) last--;
  const t = dateTime.indexOf("T", Math.max(last + 1, 1));
  if (t === -1 || t === dateTime.length - 1) return undefined;
  return { dateTime, fraction, zone };
}

/** `"1.5s"` to `{seconds, nanos}`. */
function duration(json: unknown, where: string) {
  const match = typeof json === "string" && /^(-?)(\d+)(?:\.(\d{1,9}))?s$/.exec(json);
  if (!match) throw new Error(`${where}: not a duration such as "1.5s"`);
  const sign = match[1] === "-" ? -1 : 1;
  return {
    seconds: `${match[1]}${match[2]}`,
    nanos: sign * Number((match[3] ?? "").padEnd(9, "0")),
  };
}

function expectObject(json: unknown, where: string): Record<string, unknown> {
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new Error(`${where}: expected an object`);
  return json as Record<string, unknown>;
}

function expectArray(json: unknown, where: string): unknown[] {
  if (!Array.isArray(json)) throw new Error(`${where}: expected an array`);
  return json;
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

import { Busboy } from "@fastify/busboy";
import { goUtf8 } from "./go-utf8.js";
import { type JsonLimits, type JsonValue, parseJson } from "./json-value.js";
import { parseMediaType } from "./media-type.js";
import { parseQuery } from "./request-path.js";

/** The body as opa-envoy-plugin presents it: `parsed_body` and `truncated_body`. */
export interface ParsedBody {
  parsedBody: JsonValue;
  truncated: boolean;
}

/** The parts of the HTTP request that decide how the body is parsed. */
export interface BodySource {
  headers: Record<string, string>;
  body: string;
  rawBody: Uint8Array;
  /** Bounds on a JSON body and on each JSON part of a multipart body. */
  limits: JsonLimits;
}

/** A body that claims a content type it does not have, or an unparsable content-length. */
export class BodyParseError extends Error {
  override readonly name = "BodyParseError";
}

/** At most this many multipart parts are read; more is a parse error. */
export const MAX_MULTIPART_PARTS = 10_000;

const NOT_PARSED: ParsedBody = { parsedBody: null, truncated: false };
const TRUNCATED: ParsedBody = { parsedBody: null, truncated: true };

/**
 * Parses the request body by content type (a case-sensitive substring match, as the peer does):
 * JSON, `application/x-www-form-urlencoded`, `multipart/form-data`; anything else is `null`.
 * `x-envoy-auth-partial-body: true`, or a `content-length` larger than the body, means truncated.
 * Throws {@link BodyParseError} (or the URL parser's error) when the body is not what it claims.
 */
export async function parseBody({
  headers,
  body,
  rawBody,
  limits,
}: BodySource): Promise<ParsedBody> {
  if (headers["x-envoy-auth-partial-body"] === "true") return TRUNCATED;
  const type = headers["content-type"];
  if (type === undefined) return NOT_PARSED;
  const kind = bodyKind(type);
  if (kind === undefined) return NOT_PARSED;
  // The body string is used as it is: re-encoding megabytes only to decode them again is waste.
  const text = body !== "" ? body : goUtf8(rawBody);
  const length = body !== "" ? Buffer.byteLength(body, "utf8") : rawBody.length;
  if (length === 0) return NOT_PARSED;
  if (isTruncated(headers["content-length"], length)) return TRUNCATED;
  try {
    if (kind === "json") return { parsedBody: parseJson(text, limits), truncated: false };
    if (kind === "form") return { parsedBody: parseQuery(text), truncated: false };
    const payload = body !== "" ? Buffer.from(body, "utf8") : Buffer.from(rawBody);
    return { parsedBody: await parseMultipart(type, payload, limits), truncated: false };
  } catch (error) {
    if (error instanceof BodyParseError) throw error;
    throw new BodyParseError((error as Error).message, { cause: error });
  }
}

/**
 * The peer's order: JSON first, then gRPC (which it decodes only with a protoset; without one the
 * body is not parsed), then form and multipart. So `application/grpc` with a form or multipart
 * type in the same header is not parsed either.
 */
function bodyKind(type: string): "json" | "form" | "multipart" | undefined {
  if (type.includes("application/json")) return "json";
  if (type.includes("application/grpc")) return undefined;
  if (type.includes("application/x-www-form-urlencoded")) return "form";
  if (type.includes("multipart/form-data")) return "multipart";
  return undefined;
}

/** Go's `strconv.ParseInt(v, 10, 64)`; -1 means unknown. */
function isTruncated(contentLength: string | undefined, bodyLength: number): boolean {
  if (contentLength === undefined) return false;
  if (!/^[+-]?\d+$/.test(contentLength)) {
    throw new BodyParseError(`strconv.ParseInt: parsing "${contentLength}": invalid syntax`);
  }
  const declared = BigInt(contentLength);
  if (declared > 9223372036854775807n || declared < -9223372036854775808n) {
    throw new BodyParseError(`strconv.ParseInt: parsing "${contentLength}": value out of range`);
  }
  return declared !== -1n && declared > BigInt(bodyLength);
}

/**
 * `{name: [values]}`; parts with a JSON content type are decoded; unnamed parts are skipped.
 * Every part is read as bytes and decoded as the peer's Go does (`io.ReadAll(part)`, then
 * `string(content)`: {@link goUtf8}), whatever its charset, filename or content type.
 */
function parseMultipart(type: string, payload: Buffer, limits: JsonLimits): Promise<JsonValue> {
  let boundary: string | undefined;
  try {
    boundary = parseMediaType(type).params.boundary;
  } catch (error) {
    throw new BodyParseError((error as Error).message);
  }
  if (!boundary) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const values: Record<string, JsonValue[]> = Object.create(null);
    // busboy finishes when its last part's stream ends, possibly before this module has read
    // that part: resolve once both have happened.
    let reading = 0;
    let finished = false;
    const settle = () => {
      if (finished && reading === 0) resolve(values);
    };
    const fail = (error: Error) => {
      reject(
        error instanceof BodyParseError ? error : new BodyParseError(`multipart: ${error.message}`),
      );
      parser.destroy();
    };
    const add = (name: string, value: string, mimeType: string) => {
      if (!name) return;
      values[name] ??= [];
      values[name].push(mimeType.includes("application/json") ? parseJson(value, limits) : value);
    };
    const parser = Busboy({
      headers: {
        "content-type": `multipart/form-data; boundary="${boundary.replace(/["\\]/g, "\\$&")}"`,
      },
      isPartAFile: () => true,
      limits: { parts: MAX_MULTIPART_PARTS },
    });
    parser.on("file", (name, stream, _filename, _encoding, mimeType) => {
      reading += 1;
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", fail);
      stream.on("end", () => {
        reading -= 1;
        try {
          add(name, goUtf8(Buffer.concat(chunks)), mimeType);
        } catch (error) {
          return fail(error as Error);
        }
        settle();
      });
    });
    parser.on("partsLimit", () => fail(new BodyParseError("multipart: too many parts")));
    parser.on("error", (error) => fail(error as Error));
    parser.on("finish", () => {
      finished = true;
      settle();
    });
    parser.end(payload);
  });
}

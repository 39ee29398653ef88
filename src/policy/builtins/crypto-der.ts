/**
 * The DER reading and JSON writing the x509 builtins share: a TLV reader over a byte buffer,
 * OIDs as Go's `asn1.ObjectIdentifier` (arrays of ints), and JSON text in which bigints are
 * written digit for digit, as Go's `json.Marshal` writes a `*big.Int`.
 */

/** One DER element: its tag byte, contents and the whole encoding (for Go's `Raw…` fields). */
export interface Der {
  readonly tag: number;
  readonly body: Buffer;
  readonly raw: Buffer;
}

/** The DER element at `offset` of `bytes` and where the next one starts; throws when malformed. */
export function readDer(bytes: Buffer, offset = 0): { der: Der; next: number } {
  if (offset + 2 > bytes.length) throw new Error("asn1: syntax error: data truncated");
  const tag = bytes[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new Error("asn1: high-tag-number form is not supported");
  let length = bytes[offset + 1] as number;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new Error("asn1: syntax error: unsupported length");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[start + i] ?? 0);
    start += count;
  }
  const end = start + length;
  if (end > bytes.length) throw new Error("asn1: syntax error: data truncated");
  return {
    der: { tag, body: bytes.subarray(start, end), raw: bytes.subarray(offset, end) },
    next: end,
  };
}

/** The elements inside a constructed element, in order. */
export function children(der: Der): Der[] {
  const out: Der[] = [];
  let offset = 0;
  while (offset < der.body.length) {
    const { der: child, next } = readDer(der.body, offset);
    out.push(child);
    offset = next;
  }
  return out;
}

/** Exactly one element filling `bytes`; trailing data is an error, as in Go's parser. */
export function readOnly(bytes: Buffer): Der {
  const { der, next } = readDer(bytes);
  if (next !== bytes.length) throw new Error("x509: trailing data");
  return der;
}

export function oid(der: Der): number[] {
  if (der.tag !== 0x06) throw new Error("asn1: structure error: not an OBJECT IDENTIFIER");
  const out: number[] = [];
  let value = 0;
  for (const byte of der.body) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      if (out.length === 0)
        out.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else out.push(value);
      value = 0;
    }
  }
  return out;
}

export const oidText = (der: Der): string => oid(der).join(".");

/** A DER INTEGER as a bigint (two's complement). */
export function integer(der: Der): bigint {
  if (der.tag !== 0x02) throw new Error("asn1: structure error: not an INTEGER");
  return signedBigInt(der.body);
}

export function signedBigInt(bytes: Buffer): bigint {
  let value = unsignedBigInt(bytes);
  if (bytes.length > 0 && (bytes[0] as number) & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return value;
}

export function unsignedBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString("hex")}`);
}

/** A BIT STRING's bytes (after the unused-bits count). */
export function bitString(der: Der): Buffer {
  if (der.tag !== 0x03 || der.body.length === 0)
    throw new Error("asn1: structure error: not a BIT STRING");
  return der.body.subarray(1);
}

/** The string value of a DirectoryString-like element, as Go's asn1 decodes it. */
export function text(der: Der): string | undefined {
  switch (der.tag) {
    case 0x0c: // UTF8String
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x12: // NumericString
    case 0x1a: // VisibleString
      return der.body.toString("utf8");
    case 0x14: // T61String: Go reads it as Latin-1
      return der.body.toString("latin1");
    case 0x1e: // BMPString
      return der.body.length % 2 === 0
        ? Buffer.from(der.body).swap16().toString("utf16le")
        : undefined;
    default:
      return undefined;
  }
}

/** UTCTime / GeneralizedTime as Go's time.Time marshals (RFC 3339, UTC). */
export function time(der: Der): string {
  const s = der.body.toString("latin1");
  let full: string;
  if (der.tag === 0x17) {
    const yy = Number(s.slice(0, 2));
    full = `${yy >= 50 ? 1900 + yy : 2000 + yy}${s.slice(2)}`;
  } else if (der.tag === 0x18) full = s;
  else throw new Error("x509: malformed validity");
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(full);
  if (!m) throw new Error("x509: malformed validity");
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`;
}

/** JSON text of `value`, bigints written exactly, keys in the order given. */
export function goJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "bigint") return value.toString();
  if (Buffer.isBuffer(value)) return JSON.stringify(value.toString("base64"));
  if (Array.isArray(value)) return `[${value.map(goJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${goJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

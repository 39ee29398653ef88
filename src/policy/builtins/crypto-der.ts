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
  if (der.body.length === 0) throw new Error("asn1: syntax error: empty integer");
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

/**
 * The string value of a DirectoryString-like element as crypto/x509's parseASN1String reads it,
 * or undefined where Go refuses it (an unsupported string type, or bytes the type does not allow).
 */
export function text(der: Der): string | undefined {
  const body = der.body;
  switch (der.tag) {
    case 0x0c: // UTF8String
      return isUtf8(body) ? body.toString("utf8") : undefined;
    case 0x13: // PrintableString (Go also lets '*' and '&' through)
      return /^[a-zA-Z0-9'()+,\-./:=? *&]*$/.test(body.toString("latin1"))
        ? body.toString("latin1")
        : undefined;
    case 0x16: // IA5String
      return body.every((b) => b < 0x80) ? body.toString("latin1") : undefined;
    case 0x12: // NumericString
      return /^[0-9 ]*$/.test(body.toString("latin1")) ? body.toString("latin1") : undefined;
    case 0x14: // T61String: Go reads it as Latin-1
      return body.toString("latin1");
    case 0x1e: // BMPString: UCS-2, a trailing NUL dropped, surrogates and noncharacters refused
      return bmpString(body);
    default:
      return undefined;
  }
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function bmpString(body: Buffer): string | undefined {
  if (body.length % 2 !== 0) return undefined;
  let units = Buffer.from(body).swap16();
  const last = units.length - 2;
  if (last >= 0 && units[last] === 0 && units[last + 1] === 0) units = units.subarray(0, last);
  for (let i = 0; i < units.length; i += 2) {
    const point = units.readUInt16LE(i);
    const refused =
      point === 0xfffe ||
      point === 0xffff ||
      (point >= 0xfdd0 && point <= 0xfdef) ||
      (point >= 0xd800 && point <= 0xdfff);
    if (refused) return undefined;
  }
  return units.toString("utf16le");
}

/**
 * An `any` value as encoding/asn1 decodes it (certificate requests): booleans, strings, INTEGERs
 * (int64), OIDs, times and OCTET STRINGs; null for any other type. Throws where Go's does.
 */
export function asn1Value(der: Der): unknown {
  switch (der.tag) {
    case 0x01:
      if (der.body.length !== 1 || (der.body[0] !== 0 && der.body[0] !== 0xff)) {
        throw new Error("asn1: syntax error: invalid boolean");
      }
      return der.body[0] !== 0;
    case 0x02:
      return Number(integer(der));
    case 0x04:
      return der.body;
    case 0x06:
      return oid(der);
    case 0x17:
    case 0x18:
      return time(der);
    case 0x0c:
    case 0x12:
    case 0x13:
    case 0x14:
    case 0x16:
    case 0x1e: {
      const value = text(der);
      if (value === undefined) throw new Error("asn1: syntax error: invalid string");
      return value;
    }
    default:
      return null;
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

/**
 * Protocol Buffers wire format (https://protobuf.dev/programming-guides/encoding/), only what an
 * OTLP trace request needs: varints, fixed 32/64-bit, length-delimited fields. Lengths take the
 * fewest bytes (as every encoder writes them): one is reserved and the message moved on when its
 * length needs more.
 */
export const WIRE = { varint: 0, fixed64: 1, delimited: 2, fixed32: 5 } as const;

/** How many bytes the varint of `value` takes. */
export function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) size++;
  return size;
}

export class ProtoWriter {
  bytes: Buffer;
  pos = 0;

  constructor(size = 64 * 1024) {
    this.bytes = Buffer.allocUnsafe(size);
  }

  /** Room for `count` more bytes. */
  private room(count: number): void {
    if (this.pos + count <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.pos + count));
    this.bytes.copy(grown, 0, 0, this.pos);
    this.bytes = grown;
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  /** A non-negative integer below 2^53. */
  varint(value: number): void {
    this.room(10);
    let v = value;
    while (v > 0x7f) {
      this.bytes[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.bytes[this.pos++] = v;
  }

  fixed32(value: number): void {
    this.room(4);
    this.uint32(value >>> 0);
  }

  /** Little-endian, in place (Buffer's writeUInt32LE checks its arguments each time). */
  private uint32(value: number): void {
    const bytes = this.bytes;
    bytes[this.pos++] = value & 0xff;
    bytes[this.pos++] = (value >>> 8) & 0xff;
    bytes[this.pos++] = (value >>> 16) & 0xff;
    bytes[this.pos++] = value >>> 24;
  }

  /**
   * Epoch milliseconds as fixed64 nanoseconds, as the SDK gets them (`millisToHrTime`: whole
   * seconds, and the rest rounded to the nanosecond). Exact in doubles: seconds × 1e9 is split.
   */
  fixed64Millis(epochMillis: number): void {
    const seconds = Math.trunc(epochMillis / 1000);
    const nanos = Math.round((epochMillis % 1000) * 1e6);
    // seconds·1e9 + nanos = high·1e9·2^16 + low·1e9 + nanos, high·1e9 = over·2^16 + under.
    const high = Math.floor(seconds / 0x10000) * 1e9;
    const over = Math.floor(high / 0x10000);
    const rest = (high % 0x10000) * 0x10000 + (seconds % 0x10000) * 1e9 + nanos;
    this.room(8);
    this.uint32(rest % 0x100000000);
    this.uint32(over + Math.floor(rest / 0x100000000));
  }

  /** Bytes copied as they are (an encoded field, or a message's own content). */
  raw(bytes: Uint8Array): void {
    const length = bytes.length;
    this.room(length);
    // A loop copies the few bytes of an id or a field faster than a native call.
    if (length > 64) this.bytes.set(bytes, this.pos);
    else for (let i = 0; i < length; i++) this.bytes[this.pos + i] = bytes[i] as number;
    this.pos += length;
  }

  string(value: string): void {
    const length = value.length;
    let ascii = length <= 64;
    for (let i = 0; ascii && i < length; i++) ascii = value.charCodeAt(i) < 0x80;
    if (!ascii) {
      const bytes = Buffer.byteLength(value);
      this.varint(bytes);
      this.room(bytes);
      this.pos += this.bytes.write(value, this.pos, bytes, "utf8");
      return;
    }
    this.varint(length);
    this.room(length);
    for (let i = 0; i < length; i++) this.bytes[this.pos + i] = value.charCodeAt(i);
    this.pos += length;
  }

  /** Starts a length-delimited message; {@link end} it with what this returns. */
  begin(): number {
    this.room(1);
    return this.pos++;
  }

  end(start: number): void {
    const length = this.pos - start - 1;
    if (length < 0x80) {
      this.bytes[start] = length;
      return;
    }
    const size = varintSize(length);
    this.room(size - 1);
    this.bytes.copy(this.bytes, start + size, start + 1, this.pos);
    this.pos += size - 1;
    const end = this.pos;
    this.pos = start;
    this.varint(length);
    this.pos = end;
  }

  /** What was written (a view of the writer's memory: write no more). */
  written(): Uint8Array {
    return this.bytes.subarray(0, this.pos);
  }

  /** What was written, copied; the writer starts over. */
  take(): Uint8Array {
    const written = new Uint8Array(this.bytes.subarray(0, this.pos));
    this.pos = 0;
    return written;
  }
}

/** What `write` puts in a writer, as bytes to copy (a part of a message that never changes). */
export function encoded(write: (writer: ProtoWriter) => void): Uint8Array {
  const writer = new ProtoWriter(256);
  write(writer);
  return writer.take();
}

import { randomFillSync } from "node:crypto";

/** W3C trace and span ids (lower-case hex). */
export interface RandomIds {
  traceId(): string;
  spanId(): string;
}

/** Ids cut from a pool of random bytes refilled as used (one `randomFillSync` per 4 KiB). */
export function randomIds(): RandomIds {
  const pool = Buffer.alloc(4096);
  let offset = pool.length;
  const take = (bytes: number) => {
    if (offset + bytes > pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    offset += bytes;
    return pool.toString("hex", offset - bytes, offset);
  };
  // An all-zero id is invalid (W3C): at 2^-64 per span, redraw rather than ever send one.
  const valid = (bytes: number, zero: string) => () => {
    let id = take(bytes);
    while (id === zero) id = take(bytes);
    return id;
  };
  return { traceId: valid(16, "0".repeat(32)), spanId: valid(8, "0".repeat(16)) };
}

/** Writes span ids, 8 bytes each, cut from a pool of random bytes refilled as used. */
export function randomSpanIdBytes(): (into: Uint8Array, offset: number) => void {
  const pool = Buffer.alloc(4096);
  let at = pool.length;
  return (into, offset) => {
    let zero = true;
    while (zero) {
      if (at + 8 > pool.length) {
        randomFillSync(pool);
        at = 0;
      }
      // An all-zero id is invalid (W3C): redraw.
      for (let i = 0; i < 8; i++) {
        const byte = pool[at++] as number;
        into[offset + i] = byte;
        if (byte !== 0) zero = false;
      }
    }
  };
}

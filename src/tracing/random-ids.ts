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

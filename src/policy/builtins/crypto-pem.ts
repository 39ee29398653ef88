import { LRUCache } from "lru-cache";

/**
 * PEM and base64 input as Go's encoding/pem and encoding/base64 read it, and the cache of parsed
 * key material: policies call the x509 builtins per request with the same few certificates, so
 * each distinct input is parsed once (bounded, least recently used goes first).
 */

export interface PemBlock {
  readonly type: string;
  readonly bytes: Buffer;
}

const BEGIN = /-----BEGIN ([^\n-]*)-----[ \t]*\r?\n/;

/**
 * The first PEM block in `input` and what follows it, or undefined and the input when there is
 * none (Go's pem.Decode). Headers ("Proc-Type: …") are skipped.
 */
export function pemDecode(input: string): { block?: PemBlock; rest: string } {
  let search = input;
  for (;;) {
    const begin = BEGIN.exec(search);
    if (!begin) return { rest: input };
    const type = begin[1] as string;
    const bodyStart = begin.index + begin[0].length;
    const endMarker = `-----END ${type}-----`;
    const endAt = search.indexOf(endMarker, bodyStart);
    if (endAt < 0) {
      search = search.slice(bodyStart);
      continue;
    }
    let body = search.slice(bodyStart, endAt);
    const headerEnd = /\r?\n\r?\n/.exec(body);
    if (headerEnd && body.slice(0, headerEnd.index).includes(":"))
      body = body.slice(headerEnd.index + headerEnd[0].length);
    const b64 = body.replace(/[\r\n \t]/g, "");
    const bytes = strictBase64(b64);
    if (!bytes) {
      search = search.slice(bodyStart);
      continue;
    }
    let rest = search.slice(endAt + endMarker.length);
    rest = rest.replace(/^[ \t]*\r?\n?/, "");
    return { block: { type, bytes }, rest };
  }
}

/** Go's base64.StdEncoding.DecodeString: padded, standard alphabet, else undefined. */
export function strictBase64(text: string): Buffer | undefined {
  const clean = text.replace(/[\r\n]/g, "");
  if (clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return undefined;
  return Buffer.from(clean, "base64");
}

/** strictBase64 or Go's error. */
export function base64OrThrow(text: string): Buffer {
  const bytes = strictBase64(text);
  if (!bytes) throw new Error("illegal base64 data at input byte 0");
  return bytes;
}

export function stringArg(value: unknown, position: number): string {
  if (typeof value !== "string") throw new Error(`operand ${position} must be string`);
  return value;
}

const cache = new LRUCache<string, { value: unknown } | { error: Error }>({
  max: 256,
  maxSize: 32 * 1024 * 1024,
  sizeCalculation: (_value, key) => key.length + 1,
});

/**
 * `compute()` for this builtin and input, parsed once: a later call with equal input gets the same
 * result (or the same error) from a bounded LRU cache. Results must be treated as immutable.
 */
export function cached<T>(builtin: string, input: string, compute: () => T): T {
  const key = `${builtin}\u0000${input}`;
  let entry = cache.get(key);
  if (!entry) {
    try {
      entry = { value: compute() };
    } catch (error) {
      entry = { error: error instanceof Error ? error : new Error(String(error)) };
    }
    cache.set(key, entry);
  }
  if ("error" in entry) throw entry.error;
  return entry.value as T;
}

/**
 * Gives a WebAssembly module's own memory a maximum. Go's linker declares its memory without
 * one (cmd/link/internal/wasm writeMemorySec), so a Go module could grow until the process is
 * killed; with a maximum its `memory.grow` fails and the Go runtime stops ("out of memory").
 *
 * Binary format (WebAssembly Core 5.5): after the 8-byte preamble come sections, each an id byte
 * and a LEB128 u32 size. The memory section (id 5) is a vector of limits: flag 0x00 (min) or
 * 0x01 (min, max), then LEB128 u32 numbers, in 64 KiB pages.
 *
 * @throws Error when `bytes` is not a module with exactly one memory of 32-bit limits and no
 *   maximum yet (anything else is not the module this was written for).
 */
export function withMemoryMaximum(
  bytes: Uint8Array,
  maximumPages: number,
): Uint8Array<ArrayBuffer> {
  let offset = 8;
  while (offset < bytes.length) {
    const id = bytes[offset] ?? 0;
    const size = readU32(bytes, offset + 1);
    const body = size.next;
    if (id === MEMORY_SECTION) {
      const limits = memoryLimits(bytes.subarray(body, body + size.value), maximumPages);
      return concat(
        bytes.subarray(0, offset + 1),
        writeU32(limits.length),
        limits,
        bytes.subarray(body + size.value),
      );
    }
    offset = body + size.value;
  }
  throw new Error("the module declares no memory of its own");
}

const MEMORY_SECTION = 5;

/** The memory section's body with `maximumPages` added to its one memory's limits. */
function memoryLimits(section: Uint8Array, maximumPages: number): Uint8Array {
  const count = readU32(section, 0);
  const flag = section[count.next];
  if (count.value !== 1 || flag !== 0x00) {
    throw new Error("expected one memory without a maximum");
  }
  const minimum = readU32(section, count.next + 1);
  if (minimum.next !== section.length || minimum.value > maximumPages) {
    throw new Error("unexpected memory limits");
  }
  return concat(
    Uint8Array.of(1, 0x01),
    section.subarray(count.next + 1, minimum.next),
    writeU32(maximumPages),
  );
}

function readU32(bytes: Uint8Array, start: number): { value: number; next: number } {
  let value = 0;
  for (let index = 0; index < 5; index++) {
    const byte = bytes[start + index];
    if (byte === undefined) break;
    value += (byte & 0x7f) * 2 ** (7 * index);
    if (byte < 0x80) return { value, next: start + index + 1 };
  }
  throw new Error("malformed LEB128 number in the module");
}

function writeU32(value: number): Uint8Array {
  const out: number[] = [];
  let rest = value;
  do {
    const low = rest % 128;
    rest = Math.floor(rest / 128);
    out.push(rest > 0 ? low | 0x80 : low);
  } while (rest > 0);
  return Uint8Array.from(out);
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

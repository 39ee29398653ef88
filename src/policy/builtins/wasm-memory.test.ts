import { describe, expect, it } from "vitest";
import { withMemoryMaximum } from "./wasm-memory.js";

// A module of one memory (1 page, no maximum) exported as "mem": preamble, memory section (id 5),
// export section (id 7).
const MODULE = Uint8Array.of(
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...[0x05, 0x03, 0x01, 0x00, 0x01],
  ...[0x07, 0x07, 0x01, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00],
);

function memoryOf(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Memory {
  return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.mem as WebAssembly.Memory;
}

describe("withMemoryMaximum", () => {
  it("lets the memory grow to the maximum and no further", () => {
    const memory = memoryOf(withMemoryMaximum(MODULE, 200));
    expect(memory.grow(199)).toBe(1);
    expect(() => memory.grow(1)).toThrow(RangeError);
  });

  it("leaves a module without it unbounded", () => {
    expect(memoryOf(MODULE.slice()).grow(300)).toBe(1);
  });

  it("refuses a module whose memory already has a maximum, or that has none", () => {
    const bounded = Uint8Array.of(...MODULE.subarray(0, 8), 0x05, 0x04, 0x01, 0x01, 0x01, 0x02);
    expect(() => withMemoryMaximum(bounded, 10)).toThrow(/maximum/);
    expect(() => withMemoryMaximum(MODULE.subarray(0, 8), 10)).toThrow(/no memory/);
  });
});

// Copyright 2018 The OPA Authors.  All rights reserved.
// Use of this source code is governed by an Apache2
// license that can be found in the LICENSE file.
//
// A fork of @open-policy-agent/opa-wasm 1.10.0's src/opa.js (loadPolicySync and LoadedPolicy),
// for this sidecar. Changed: values cross to host builtins and out of evaluations in Rego's value
// syntax (opa_value_dump / opa_value_parse, opa_eval's value format) in place of JSON, so sets
// stay sets (see wasm-value.ts); only ABI 1.2+ modules (opa_eval), built synchronously from a
// WebAssembly.Module; the builtins table is passed whole (the SDK's own merged by the caller);
// TypeScript; the module's `builtins` export is kept.
/**
 * A compiled policy instantiated with our host glue: see the header for what differs from the
 * SDK's LoadedPolicy.
 */
import { readResultSet, readValue, type SetForm, writeValue } from "./wasm-value.js";

/** A builtin as the module calls it: arguments and result as JS values. */
export type HostBuiltin = (...args: unknown[]) => unknown;

/** What {@link loadWasmPolicy} needs besides the module. */
export interface WasmPolicyOptions {
  /** The instance's memory: initial and largest size, in 64 KiB pages. */
  memory: WebAssembly.MemoryDescriptor;
  /** Every builtin the host provides, by Rego name. */
  builtins: Record<string, HostBuiltin>;
  /** Builtins that receive sets as `RegoSet`s and may return them (SET_BUILTINS). */
  sets: { takes: ReadonlySet<string>; gives: ReadonlySet<string> };
}

/** One instance of a compiled policy. */
export interface WasmPolicy {
  /** The module's entrypoints, by name. */
  readonly entrypoints: Record<string, number>;
  /** The builtins the module calls on the host, by name (its `builtins` export). */
  readonly builtins: string[];
  /** Loads the data document (JSON bytes or a value) for the evaluations that follow. */
  setData(data: ArrayBuffer | unknown): void;
  /**
   * Evaluates `entrypoint` with the input document's JSON text ("": no input): the result set, a
   * set in it as the array of its members in topdown's order. Throws what the module aborts with
   * (a string).
   */
  evaluate(inputJson: string, entrypoint: number): Array<{ result: unknown }>;
}

/** The module's exports this glue uses (the ABI's, wasm/src and the compiler's). */
interface Exports {
  opa_wasm_abi_version?: WebAssembly.Global;
  opa_wasm_abi_minor_version?: WebAssembly.Global;
  builtins(): number;
  entrypoints(): number;
  opa_malloc(length: number): number;
  opa_heap_ptr_get(): number;
  opa_heap_ptr_set(address: number): void;
  opa_json_parse(address: number, length: number): number;
  opa_value_parse(address: number, length: number): number;
  opa_json_dump(value: number): number;
  opa_value_dump(value: number): number;
  opa_eval(
    reserved: 0,
    entrypoint: number,
    data: number,
    input: number,
    inputLength: number,
    heap: number,
    valueFormat: 0 | 1,
  ): number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The NUL-terminated UTF-8 text at `address`. */
function readText(memory: WebAssembly.Memory, address: number): string {
  const bytes = new Uint8Array(memory.buffer);
  const end = bytes.indexOf(0, address);
  return decoder.decode(bytes.subarray(address, end < 0 ? bytes.length : end));
}

/**
 * Writes `text` as UTF-8 into `memory` at `address`, growing it as needed; returns the bytes
 * written. Straight from the string into the module's memory: no buffer in between.
 */
function writeText(memory: WebAssembly.Memory, text: string, address: number): number {
  let written = 0;
  for (let rest = text; ; ) {
    const room = new Uint8Array(memory.buffer, address + written);
    const step = encoder.encodeInto(rest, room);
    written += step.written;
    if (step.read === rest.length) return written;
    rest = rest.slice(step.read);
    // At most 3 bytes per UTF-16 unit left; the grow throws past the memory's maximum.
    memory.grow(Math.ceil((3 * rest.length - (room.length - step.written)) / 65_536));
  }
}

const bytesOf = (value: ArrayBuffer | unknown) =>
  value instanceof ArrayBuffer ? new Uint8Array(value) : encoder.encode(JSON.stringify(value));

/**
 * Instantiates `module` with our builtins. Throws when the module's ABI is not 1.2 or later (what
 * every `opa build -t wasm` this sidecar supports writes).
 */
export function loadWasmPolicy(module: WebAssembly.Module, options: WasmPolicyOptions): WasmPolicy {
  const memory = new WebAssembly.Memory(options.memory);
  const glue = createGlue(memory, options);
  const instance = new WebAssembly.Instance(module, glue.imports);
  const exports = instance.exports as unknown as Exports;
  checkAbi(exports);
  glue.bind(exports);
  const dumpJson = (address: number) =>
    JSON.parse(readText(memory, exports.opa_json_dump(address)));
  const builtinIds = dumpJson(exports.builtins()) as Record<string, number>;
  glue.name(builtinIds);

  /** Parses `value` into the module's heap (opa_value_parse takes JSON too). */
  const load = (value: ArrayBuffer | unknown) => glue.loadText(bytesOf(value), "opa_json_parse");
  let dataAddress = load({});
  const baseHeap = exports.opa_heap_ptr_get();
  let dataHeap = baseHeap;
  return {
    entrypoints: dumpJson(exports.entrypoints()) as Record<string, number>,
    builtins: Object.keys(builtinIds),
    setData(data) {
      exports.opa_heap_ptr_set(baseHeap);
      dataAddress = load(data);
      dataHeap = exports.opa_heap_ptr_get();
    },
    evaluate(inputJson, entrypoint) {
      const length = writeText(memory, inputJson, dataHeap);
      const inputAddress = length === 0 ? 0 : dataHeap;
      const heap = dataHeap + length;
      // The last argument asks for the result in value syntax, sets and all.
      const text = exports.opa_eval(0, entrypoint, dataAddress, inputAddress, length, heap, 1);
      return readResultSet(readText(memory, text)) as Array<{ result: unknown }>;
    },
  };
}

function checkAbi(exports: Exports): void {
  const major = exports.opa_wasm_abi_version?.value;
  const minor = exports.opa_wasm_abi_minor_version?.value;
  if (major !== 1 || typeof minor !== "number" || minor < 2)
    throw new Error(`unsupported ABI version ${major}.${minor}: needs 1.2 or later`);
}

/** The module's imports, and how they reach the host's builtins once the instance exists. */
function createGlue(memory: WebAssembly.Memory, options: WasmPolicyOptions) {
  let exports: Exports | undefined;
  let names: Record<number, string> = {};
  const module = () => exports as Exports;

  const loadText = (bytes: Uint8Array, parse: "opa_json_parse" | "opa_value_parse") => {
    const address = module().opa_malloc(bytes.byteLength);
    new Uint8Array(memory.buffer).set(bytes, address);
    const parsed = module()[parse](address, bytes.byteLength);
    if (parsed === 0) throw new Error("failed to parse the value");
    return parsed;
  };

  const call = (id: number, args: number[]): number => {
    const name = names[id] ?? `#${id}`;
    const builtin = options.builtins[name];
    if (builtin === undefined) throw new Error(`not implemented: built-in function ${id}: ${name}`);
    const form: SetForm = options.sets.takes.has(name) ? "sets" : "arrays";
    const values = args.map((arg) =>
      readValue(readText(memory, module().opa_value_dump(arg)), form),
    );
    const result = builtin(...values);
    if (result === undefined) return 0;
    if (result instanceof ArrayBuffer) return loadText(new Uint8Array(result), "opa_json_parse");
    if (options.sets.gives.has(name))
      return loadText(encoder.encode(writeValue(result)), "opa_value_parse");
    return loadText(encoder.encode(JSON.stringify(result)), "opa_json_parse");
  };

  const imports = {
    env: {
      memory,
      opa_abort: (address: number) => {
        throw readText(memory, address);
      },
      opa_println: (address: number) => console.log(readText(memory, address)),
      opa_builtin0: (id: number, _context: number) => call(id, []),
      opa_builtin1: (id: number, _context: number, a: number) => call(id, [a]),
      opa_builtin2: (id: number, _context: number, a: number, b: number) => call(id, [a, b]),
      opa_builtin3: (id: number, _context: number, a: number, b: number, c: number) =>
        call(id, [a, b, c]),
      opa_builtin4: (id: number, _context: number, a: number, b: number, c: number, d: number) =>
        call(id, [a, b, c, d]),
    },
  };
  return {
    imports,
    loadText,
    bind(instanceExports: Exports) {
      exports = instanceExports;
    },
    /** Takes the module's `builtins` export, `{name: id}`. */
    name(ids: Record<string, number>) {
      names = Object.fromEntries(Object.entries(ids).map(([name, id]) => [id, name]));
    },
  };
}

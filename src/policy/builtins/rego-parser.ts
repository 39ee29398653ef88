import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PACKAGE_ROOT } from "../../package-root.js";
import { withMemoryMaximum } from "./wasm-memory.js";

/** OPA's Rego parser (scripts/rego-parser, built to WebAssembly) as one thread holds it. */
export interface RegoParser {
  /**
   * `rego.parse_module(filename, text)`: the module's JSON AST as raw JSON text, exactly as
   * topdown's builtin gives it.
   * @throws Error with OPA's message (`1 error occurred: x.rego:1: rego_parse_error: ...`) for a
   *   module that does not parse, for input beyond the limit, or when the parser itself failed
   *   (out of memory, nesting beyond the thread's stack): the next call gets a fresh instance.
   */
  parseModule(filename: string, text: string): ArrayBuffer;
}

/** Bounds of one parser instance. */
export interface RegoParserLimits {
  /** Largest filename plus module text, in UTF-8 bytes; larger input is an error. */
  maxInputBytes: number;
  /** Maximum of the instance's linear memory (the Go heap lives there), in 64 KiB pages. */
  maxMemoryPages: number;
  /** An instance whose memory grew past this many pages is replaced after the call. */
  keepMemoryPages: number;
}

/**
 * The parser's WebAssembly module, built by scripts/build-rego-parser into build/ (beside src/
 * and dist/ alike, so sources under vitest and the build find the same file).
 */
export const REGO_PARSER_WASM = pathToFileURL(
  join(PACKAGE_ROOT, "build/rego-parser/rego-parser.wasm"),
);

interface ParserExports {
  memory: WebAssembly.Memory;
  limitMemory(bytes: number): void;
  input(size: number): number;
  parse(filenameLength: number): number;
  output(): number;
  outputLength(): number;
}

const PAGE_BYTES = 65_536;
/** parse's status for a module (its output is the JSON); any other is an error message. */
const PARSED = 0;

/**
 * Compiles the parser module and makes its first instance, synchronously: a thread does this
 * while loading a bundle that calls rego.parse_module, so the first call pays nothing more.
 * @throws Error when the file cannot be read or is not the parser module.
 */
export function loadRegoParser(path: URL, limits: RegoParserLimits): RegoParser {
  const module = new WebAssembly.Module(
    withMemoryMaximum(readFileSync(path), limits.maxMemoryPages),
  );
  const start = () => instantiate(module, limits.maxMemoryPages * PAGE_BYTES);
  let kept: ParserExports | undefined = start();
  const encoder = new TextEncoder();
  return {
    parseModule(filename, text) {
      const name = encoder.encode(filename);
      const source = encoder.encode(text);
      if (name.length + source.length > limits.maxInputBytes) {
        throw new Error(`rego.parse_module: input beyond ${limits.maxInputBytes} bytes`);
      }
      const parser = kept ?? start();
      // A trap (out of memory, stack overflow) can leave the instance in any state: it is kept
      // only after a call that returned, and not when it holds more memory than it should.
      kept = undefined;
      const { status, output } = call(parser, name, source);
      if (parser.memory.buffer.byteLength <= limits.keepMemoryPages * PAGE_BYTES) kept = parser;
      if (status !== PARSED) throw new Error(new TextDecoder().decode(output));
      return output.slice().buffer;
    },
  };
}

function call(parser: ParserExports, name: Uint8Array, source: Uint8Array) {
  const input = parser.input(name.length + source.length) >>> 0;
  const memory = new Uint8Array(parser.memory.buffer);
  memory.set(name, input);
  memory.set(source, input + name.length);
  const status = parser.parse(name.length);
  const output = new Uint8Array(parser.memory.buffer, parser.output() >>> 0, parser.outputLength());
  return { status, output };
}

function instantiate(module: WebAssembly.Module, memoryBytes: number): ParserExports {
  // No arguments, environment or files; proc_exit throws out of the call instead of ending the
  // thread. Go's runtime writes a fatal error's goroutine dump to stderr, which is the sidecar's
  // JSON log: writes are taken and dropped (the call's trap is the error).
  // node:wasi is required here, not imported: loading it warns that it is experimental, and only
  // a thread whose bundle calls rego.parse_module should load it.
  const { WASI } = createRequire(import.meta.url)("node:wasi") as typeof import("node:wasi");
  const wasi = new WASI({ version: "preview1", returnOnExit: true });
  const imports = wasi.getImportObject() as { wasi_snapshot_preview1: Record<string, unknown> };
  let memory: WebAssembly.Memory | undefined;
  imports.wasi_snapshot_preview1.fd_write = (...args: number[]) => dropWrite(memory, ...args);
  const instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
  wasi.initialize(instance);
  const exports = instance.exports as unknown as ParserExports;
  memory = exports.memory;
  exports.limitMemory(memoryBytes);
  return exports;
}

/** WASI fd_write(fd, iovs, iovsLength, written) that writes nothing and says it wrote all. */
function dropWrite(memory: WebAssembly.Memory | undefined, ...args: number[]): number {
  const [, iovs = 0, iovsLength = 0, written = 0] = args;
  if (!memory) return WASI_EBADF;
  const view = new DataView(memory.buffer);
  let total = 0;
  for (let index = 0; index < iovsLength; index++) {
    total += view.getUint32(iovs + index * 8 + 4, true);
  }
  view.setUint32(written, total, true);
  return 0;
}

/** WASI errno "bad file descriptor" (preview1 `errno::badf`). */
const WASI_EBADF = 8;

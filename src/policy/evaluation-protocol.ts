import type { MessagePort } from "node:worker_threads";

/** A compiled policy as the threads receive it. */
export interface PolicyImage {
  /** Pool-wide number of this policy. */
  policy: number;
  /** Compiled once in the main thread, shared by every thread. */
  module: WebAssembly.Module;
  /** The bundle's data document, as JSON bytes. */
  data: ArrayBuffer;
  /** The bundle's warm-up inputs (JSON text), evaluated once a thread has instantiated it. */
  warmUp: string[];
}

/** What an evaluation thread starts with (`workerData`). */
export interface ThreadSetup {
  /** Largest wasm memory of each instance, in 64 KiB pages. */
  maxMemoryPages: number;
  /** The policies loaded when the thread starts (a replacement thread gets all of them). */
  policies: PolicyImage[];
  /** The thread's end of its channel to the pool. */
  port: MessagePort;
  /**
   * One Int32 the pool increments (and `Atomics.notify`s) after each message it posts: the thread
   * sleeps on it with `Atomics.wait`, a futex, which wakes in microseconds where an idle event
   * loop takes a hundred or more on a busy VM.
   */
  signal: SharedArrayBuffer;
  /** How many times the thread evaluates each warm-up input (`warmUpRounds` of the process's flags). */
  warmUpRounds: number;
}

/** What the pool sends a thread. */
export type ThreadRequest =
  | ({ kind: "load" } & PolicyImage)
  | { kind: "unload"; policy: number }
  /**
   * The input document's JSON text (copied); `expiresAt` (ms since the epoch): the check has been
   * answered with a timeout by then, so a thread that reaches it later skips it.
   */
  | {
      kind: "evaluate";
      id: number;
      policy: number;
      entrypoint: number;
      input: string;
      expiresAt: number;
    };

/** What a thread answers: `ready` once at start, one reply per load and per evaluation. */
export type ThreadReply =
  | { kind: "ready" }
  | { kind: "started-without"; policy: number; message: string }
  | { kind: "loaded"; policy: number; entrypoints: Record<string, number> }
  /** `missingBuiltins`: the builtins it calls that nobody provides, when that is why. */
  | { kind: "load-failed"; policy: number; message: string; missingBuiltins?: string[] }
  | { kind: "result"; id: number; defined: boolean; value: unknown }
  | { kind: "error"; id: number; message: string }
  /** The evaluation `id` was skipped: its `expiresAt` had passed when the thread reached it. */
  | { kind: "expired"; id: number }
  /** A `print()` line of the evaluation `id` (undefined: while loading). */
  | { kind: "print"; id: number | undefined; line: string };

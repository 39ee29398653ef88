import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { PACKAGE_ROOT } from "../package-root.js";
import type {
  PolicyImage,
  ThreadReply,
  ThreadRequest,
  ThreadSetup,
} from "./evaluation-protocol.js";
import { warmUpRounds } from "./warm-up.js";

/** One evaluation thread as the pool drives it. */
export interface EvaluationThread {
  /** Posts a request (its buffers copied) and wakes the thread. */
  post(request: ThreadRequest): void;
  /** A reply already in the port but not yet delivered (a timer can run before delivery). */
  takeWaiting(): ThreadReply | undefined;
  /** Stops the thread at once, wherever it is (wasm included); no event follows. */
  terminate(): void;
}

/** What a thread tells the pool. */
export interface ThreadEvents {
  onReply(reply: ThreadReply): void;
  /** The thread ended without being asked to (a crash, out of memory). */
  onExit(message: string): void;
}

/**
 * V8 limits of each thread's own heap (wasm memory is outside it, bounded by `maxMemoryPages`):
 * room for result sets and the compiled regexes the policy keeps (the prompt guard's ~100
 * patterns and their five alternations take ~13 MiB as machine code), not for a second copy of
 * the sidecar.
 */
const THREAD_HEAP = { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4, stackSizeMb: 4 };

/**
 * Starts a thread holding `policies`. Neither the thread nor its port keeps the process alive:
 * whoever waits on it holds a timer that does.
 */
export function startThread(
  setup: { maxMemoryPages: number; policies: PolicyImage[] },
  events: ThreadEvents,
): EvaluationThread {
  const { port1: port, port2 } = new MessageChannel();
  const signal = new SharedArrayBuffer(4);
  const worker = new Worker(WORKER_URL, {
    workerData: {
      ...setup,
      port: port2,
      signal,
      warmUpRounds: warmUpRounds(process.execArgv),
    } satisfies ThreadSetup,
    transferList: [port2],
    resourceLimits: THREAD_HEAP,
    // node:wasi (rego.parse_module's parser) warns that it is experimental on stderr, which is
    // the sidecar's JSON log. Not the process's own flags: a Worker refuses V8 heap flags (the
    // image's NODE_OPTIONS), and its heap is `resourceLimits`.
    execArgv: ["--disable-warning=ExperimentalWarning"],
  });
  const posted = new Int32Array(signal);
  let stopped = false;
  const exited = (message: string) => {
    if (stopped) return;
    stopped = true;
    port.close();
    events.onExit(message);
  };
  port.on("message", (reply: ThreadReply) => stopped || events.onReply(reply));
  worker.on("error", (error) => exited(error.message));
  worker.on("exit", (code) => exited(`evaluation thread exited (${code})`));
  worker.unref();
  port.unref();
  return {
    post(request) {
      port.postMessage(request);
      // The thread sleeps on this counter (a futex): it wakes in microseconds, where an idle
      // event loop woken by a message takes a hundred or more on a busy machine.
      Atomics.add(posted, 0, 1);
      Atomics.notify(posted, 0);
    },
    takeWaiting: () => receiveMessageOnPort(port)?.message as ThreadReply | undefined,
    terminate() {
      stopped = true;
      port.close();
      void worker.terminate();
    },
  };
}

/**
 * The thread's script in the build (bundled by scripts/bundle.mjs), for the bundle and tsc's
 * modules alike. Under vitest the sources run as TypeScript, which a thread cannot load: they
 * start the build's script too (`npm test` builds first).
 */
const WORKER_URL = pathToFileURL(join(PACKAGE_ROOT, "dist/policy/evaluation-worker.js"));

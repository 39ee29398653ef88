import { AuthzError } from "../errors.js";
import type { PolicyImage, ThreadReply, ThreadRequest } from "./evaluation-protocol.js";
import { type EvaluationThread, startThread } from "./evaluation-thread.js";

/** The outcome of one evaluation: `defined` is false when the decision path has no value. */
export type Evaluation = { defined: false } | { defined: true; value: unknown };

/** Options resolved from the `policy` config section. */
export interface EvaluationPoolOptions {
  /** Evaluation threads, each with its own wasm instance of every loaded policy (1–64). */
  threads: number;
  /** Deadline of one evaluation, queueing included, ms. */
  timeoutMs: number;
  /** Largest wasm memory of each instance, in 64 KiB pages. */
  maxMemoryPages: number;
}

/** A policy loaded into every thread of the pool. */
export interface PooledPolicy {
  /** The module's entrypoints, by decision path. */
  readonly entrypoints: Record<string, number>;
  /**
   * Evaluates the input document's JSON text ("": no input), copied to a thread.
   * Rejects with `AuthzError("policy_eval_timeout")` at the deadline (the thread is terminated
   * and replaced once the evaluation itself has run that long), `AuthzError("policy_eval_error")`
   * on a trap, a builtin error or a thread that died, and `AuthzError("policy_not_loaded")` once
   * unloaded.
   */
  evaluate(inputJson: string, entrypoint: number, label?: string): Promise<Evaluation>;
  /** Frees the policy's instances in every thread. */
  unload(): void;
}

/** Evaluation threads, shared by every policy the sidecar loads in its lifetime. */
export interface EvaluationPool {
  /**
   * Instantiates a compiled policy with its data in every thread. Throws
   * `AuthzError("bundle_invalid")` when a thread cannot instantiate it.
   */
  load(module: WebAssembly.Module, data: ArrayBuffer, warmUp?: string[]): Promise<PooledPolicy>;
  /** Terminates the threads; pending evaluations fail, later ones are refused. */
  close(): void;
}

/** What the pool tells the rest of the sidecar: threads that died or could not be replaced. */
export interface EvaluationPoolEvents {
  onError(error: AuthzError): void;
  /** A `print()` line, with the label of the evaluation that printed it (the decision id). */
  onPrint(label: string | undefined, line: string): void;
  /** A thread was terminated and replaced: an evaluation ran past the deadline, or it died. */
  onThreadReplaced?(reason: "deadline" | "died"): void;
}

interface Job {
  request: Extract<ThreadRequest, { kind: "evaluate" }>;
  /** What `print()` lines of this evaluation are logged with (the decision id). */
  label: string | undefined;
  /** Answers the check, once: later calls do nothing. */
  settle(outcome: { evaluation: Evaluation } | { error: AuthzError }): void;
  /** The check has its answer (a result, an error, or the deadline's timeout). */
  settled: boolean;
  thread?: Thread;
  /** When its thread began it (performance.now()): when it was posted to an idle thread, or when the job before it on that thread was answered. */
  startedAt?: number;
}

interface Thread {
  handle: EvaluationThread;
  ready: boolean;
  /** Posted and not yet answered, in order: the first is running, the rest wait in its port. */
  jobs: Job[];
}

interface PendingLoad {
  waiting: Set<Thread>;
  entrypoints?: Record<string, number>;
  failure?: string;
  missingBuiltins?: string[];
  done(): void;
}

/** Longest the threads may take to instantiate a new policy. */
const LOAD_TIMEOUT_MS = 30_000;

/** A thread that could not start is replaced after this pause, not in a tight loop. */
const RESPAWN_BACKOFF_MS = 1_000;

/**
 * Evaluations a thread holds at once. It runs those waiting in its port back to back, so under
 * load it is woken (a futex wake, and often the main thread's core handed over) once per batch
 * instead of once per check: +20-25 % saturation with the JWT verified in Rego on 2 cores.
 */
const PIPELINE_DEPTH = 4;

/**
 * Starts the evaluation threads. Wasm cannot be interrupted on the thread that runs it; from
 * here it can: an evaluation past its deadline is answered at once with a timeout and its thread
 * is terminated and replaced. So one slow evaluation holds neither the event loop (health checks,
 * other checks' parsing and identity) nor, beyond its deadline, the other evaluations.
 */
export function createEvaluationPool(
  options: EvaluationPoolOptions,
  events: EvaluationPoolEvents,
): EvaluationPool {
  const threads = new Set<Thread>();
  const images = new Map<number, PolicyImage>();
  const loads = new Map<number, PendingLoad>();
  const queue: Job[] = [];
  let nextId = 0;
  let nextPolicy = 0;
  let closed = false;

  function spawn() {
    const thread: Thread = {
      jobs: [],
      ready: false,
      // The callbacks run later, from the event loop: `thread` is assigned by then.
      handle: startThread(
        { maxMemoryPages: options.maxMemoryPages, policies: [...images.values()] },
        { onReply: (reply) => onReply(thread, reply), onExit: (message) => died(thread, message) },
      ),
    };
    threads.add(thread);
  }

  function onReply(thread: Thread, reply: ThreadReply) {
    switch (reply.kind) {
      case "ready":
        thread.ready = true;
        return pump();
      case "started-without":
        events.onError(new AuthzError("policy_eval_error", reply.message));
        return retire(thread, RESPAWN_BACKOFF_MS);
      case "loaded":
      case "load-failed": {
        const load = loads.get(reply.policy);
        if (!load) return;
        if (reply.kind === "loaded") load.entrypoints ??= reply.entrypoints;
        else {
          load.failure ??= reply.message;
          load.missingBuiltins ??= reply.missingBuiltins;
        }
        load.waiting.delete(thread);
        if (load.waiting.size === 0) load.done();
        return;
      }
      default:
        if (reply.kind === "print") return printed(thread, reply.id, reply.line);
        return answer(thread, reply);
    }
  }

  /**
   * A thread that ended without being asked to (out of memory, a crash): its evaluation fails and
   * a new thread replaces it; at once if it had been serving, after a pause if it never started.
   */
  function died(thread: Thread, message: string) {
    if (!threads.has(thread)) return;
    const error = new AuthzError("policy_eval_error", message);
    thread.jobs.shift()?.settle({ error });
    requeue(thread);
    retire(thread, thread.ready ? 0 : RESPAWN_BACKOFF_MS);
    events.onError(error);
    events.onThreadReplaced?.("died");
  }

  /** Takes a thread out (terminating it) and, unless the pool is closing, starts another. */
  function retire(thread: Thread, respawnAfterMs = 0) {
    if (!threads.delete(thread)) return;
    thread.handle.terminate();
    for (const load of loads.values()) {
      if (load.waiting.delete(thread) && load.waiting.size === 0) load.done();
    }
    if (closed) return;
    if (respawnAfterMs === 0) spawn();
    else setTimeout(() => closed || spawn(), respawnAfterMs).unref();
  }

  /**
   * The jobs `thread` holds behind its running one go back to the front of the queue, in order,
   * for another thread (they have not begun; their inputs were copied, not given away).
   */
  function requeue(thread: Thread) {
    const waiting = thread.jobs.splice(0).filter((job) => !job.settled);
    for (const job of waiting) {
      job.thread = undefined;
      job.startedAt = undefined;
    }
    queue.unshift(...waiting);
  }

  /** Retires `thread` if it is still evaluating `job` after `afterMs` (now when ≤ 0). */
  function stopIfStillRunning(thread: Thread, job: Job, afterMs: number) {
    const stop = () => {
      if (thread.jobs[0] !== job || !threads.has(thread)) return;
      thread.jobs.shift();
      requeue(thread);
      retire(thread);
      events.onThreadReplaced?.("deadline");
      pump();
    };
    if (afterMs <= 0) stop();
    else setTimeout(stop, afterMs).unref();
  }

  function printed(thread: Thread, id: number | undefined, line: string) {
    events.onPrint(thread.jobs.find((job) => job.request.id === id)?.label, line);
  }

  function answer(
    thread: Thread,
    reply: Extract<ThreadReply, { kind: "result" | "error" | "expired" }>,
  ) {
    const job = thread.jobs[0];
    if (!job || reply.id !== job.request.id) return;
    thread.jobs.shift();
    startNext(thread);
    // A skipped job is a timeout, whether its own timer has fired yet or not.
    if (reply.kind === "expired")
      job.settle({ error: timeout("waiting for an evaluation thread") });
    else if (reply.kind === "error")
      job.settle({ error: new AuthzError("policy_eval_error", reply.message) });
    else
      job.settle({
        evaluation: reply.defined ? { defined: true, value: reply.value } : { defined: false },
      });
    pump();
  }

  const timeout = (where: string) =>
    new AuthzError(
      "policy_eval_timeout",
      `deadline of ${options.timeoutMs} ms passed while ${where}`,
    );

  /**
   * The next job `thread` holds begins now. One whose check the deadline already answered is
   * skipped by the thread (its `expiresAt` has passed); should it run anyway, the deadline still
   * bounds it.
   */
  function startNext(thread: Thread) {
    const next = thread.jobs[0];
    if (!next) return;
    next.startedAt = performance.now();
    if (next.settled) stopIfStillRunning(thread, next, options.timeoutMs);
  }

  /**
   * Posts queued jobs to ready threads, level by level (every thread one job before any gets a
   * second), up to {@link PIPELINE_DEPTH} each.
   */
  function pump() {
    for (let depth = 0; depth < PIPELINE_DEPTH; depth++) {
      for (const thread of threads) {
        if (queue.length === 0) return;
        if (!thread.ready || thread.jobs.length !== depth) continue;
        const job = queue.shift() as Job;
        job.thread = thread;
        if (depth === 0) job.startedAt = performance.now();
        thread.jobs.push(job);
        thread.handle.post(job.request);
      }
    }
  }

  /**
   * The deadline passed: the check is answered with a timeout. A queued job leaves the queue; a
   * running one takes its thread down once the evaluation itself has run for the deadline, so a
   * job that spent its time queued on a busy machine does not turn into a thread restart (which
   * costs far more CPU than the evaluation, and would feed the overload).
   */
  function expire(job: Job) {
    const thread = job.thread;
    if (thread) {
      // The answer may be waiting in the port behind this timer (after print lines): take it.
      for (
        let waiting = thread.handle.takeWaiting();
        waiting;
        waiting = thread.handle.takeWaiting()
      ) {
        onReply(thread, waiting);
        if (job.settled) return;
      }
    }
    // Still held by its thread, and running: its own evaluation may have more time left. One
    // held behind another has not begun (startNext bounds it if it ever does).
    const holder = job.thread;
    const running = holder !== undefined && holder.jobs[0] === job;
    if (running) {
      stopIfStillRunning(
        holder,
        job,
        options.timeoutMs - (performance.now() - (job.startedAt ?? 0)),
      );
    } else if (!holder) {
      const at = queue.indexOf(job);
      if (at >= 0) queue.splice(at, 1);
    }
    const where = running ? "evaluating" : "waiting for an evaluation thread";
    job.settle({ error: timeout(where) });
  }

  function evaluate(
    policy: number,
    input: string,
    entrypoint: number,
    label: string | undefined,
  ): Promise<Evaluation> {
    if (closed || !images.has(policy)) {
      return Promise.reject(new AuthzError("policy_not_loaded", "the policy was replaced"));
    }
    return new Promise((resolve, reject) => {
      const job: Job = {
        request: {
          kind: "evaluate",
          id: nextId++,
          policy,
          entrypoint,
          input,
          expiresAt: Date.now() + options.timeoutMs,
        },
        label,
        settled: false,
        settle: (outcome) => {
          if (job.settled) return;
          job.settled = true;
          clearTimeout(timer);
          if ("error" in outcome) reject(outcome.error);
          else resolve(outcome.evaluation);
        },
      };
      const timer = setTimeout(() => expire(job), options.timeoutMs);
      queue.push(job);
      pump();
    });
  }

  function unload(policy: number) {
    if (!images.delete(policy)) return;
    for (const thread of threads) thread.handle.post({ kind: "unload", policy });
  }

  for (let i = 0; i < options.threads; i++) spawn();

  return {
    async load(module, data, warmUp = []) {
      if (closed) throw new AuthzError("policy_not_loaded", "the evaluation pool is closed");
      const image: PolicyImage = { policy: nextPolicy++, module, data, warmUp };
      const load: PendingLoad = { waiting: new Set(threads), done: () => {} };
      const loaded = new Promise<void>((resolve) => (load.done = resolve));
      loads.set(image.policy, load);
      images.set(image.policy, image);
      for (const thread of threads) thread.handle.post({ kind: "load", ...image });
      // Also what keeps the process alive meanwhile: the threads and their ports do not.
      const timer = setTimeout(() => {
        load.failure ??= `evaluation threads did not load the policy within ${LOAD_TIMEOUT_MS} ms`;
        load.done();
      }, LOAD_TIMEOUT_MS);
      await loaded;
      clearTimeout(timer);
      loads.delete(image.policy);
      if (load.failure !== undefined || !load.entrypoints) {
        unload(image.policy);
        throw new AuthzError("bundle_invalid", load.failure ?? "no evaluation thread loaded it", {
          missingBuiltins: load.missingBuiltins,
        });
      }
      return {
        entrypoints: load.entrypoints,
        evaluate: (input, entrypoint, label) => evaluate(image.policy, input, entrypoint, label),
        unload: () => unload(image.policy),
      };
    },
    close() {
      closed = true;
      const error = new AuthzError("policy_not_loaded", "the sidecar is stopping");
      for (const job of queue.splice(0)) job.settle({ error });
      for (const thread of [...threads]) {
        for (const job of thread.jobs.splice(0)) job.settle({ error });
        retire(thread);
      }
    },
  };
}

/**
 * The bytes as an ArrayBuffer of their own: the underlying one when they fill it, else a copy.
 * Not `bytes.slice()`: on a Node Buffer that is a view of the same (often pooled) memory, so its
 * `.buffer` would be the whole pool, other data and all.
 */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength)
    return bytes.buffer as ArrayBuffer;
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

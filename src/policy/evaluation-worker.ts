/**
 * One evaluation thread: holds a wasm instance of each loaded policy and evaluates the input
 * documents the pool sends it, one at a time. The pool may terminate this thread at any moment
 * (a deadline passed); nothing here needs cleaning up when it does.
 */
import { receiveMessageOnPort, workerData } from "node:worker_threads";
import {
  createContextSource,
  createRegoBuiltins,
  hostBuiltins,
  loadRegoParser,
  missingBuiltins,
  REGO_PARSER_LIMITS,
  REGO_PARSER_WASM,
  SET_BUILTINS,
  warmUp,
} from "./builtins/index.js";
import type {
  PolicyImage,
  ThreadReply,
  ThreadRequest,
  ThreadSetup,
} from "./evaluation-protocol.js";
import { runWarmUp } from "./warm-up.js";
import { type HostBuiltin, loadWasmPolicy, type WasmPolicy } from "./wasm-policy.js";

/** The evaluation under way: its request id, so `print()` lines name their decision. */
let evaluating: number | undefined;
const contexts = createContextSource({
  nowNs: () => BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n),
  print: (line) => reply({ kind: "print", id: evaluating, line }),
});
// OPA's parser (a Go WebAssembly module of its own) is loaded by the first bundle that calls it.
const rego = createRegoBuiltins(() => loadRegoParser(REGO_PARSER_WASM, REGO_PARSER_LIMITS));
// Every builtin is ours (the opa-wasm SDK's JavaScript ones each differ from topdown somewhere,
// and its host glue is forked in wasm-policy.ts to keep sets as sets).
const builtins: Record<string, HostBuiltin> = hostBuiltins(contexts, rego.table);
// The module's own debug output (opa_println) goes to console.log: stdout is the decision log's.
console.log = (...args: unknown[]) => console.error(...args);

const { maxMemoryPages, policies, port, signal, warmUpRounds } = workerData as ThreadSetup;
const images = new Map<number, PolicyImage>();
/** Instances by policy; absent after a trap until the next evaluation makes a fresh one. */
const instances = new Map<number, WasmPolicy>();

function instantiate(image: PolicyImage): WasmPolicy {
  const instance = loadWasmPolicy(image.module, {
    memory: { initial: 5, maximum: maxMemoryPages },
    builtins,
    sets: SET_BUILTINS,
  });
  instance.setData(image.data);
  instances.set(image.policy, instance);
  return instance;
}

/** The module aborts with a string; a builtin may throw anything. */
function describe(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === "string") return thrown;
  const message = (thrown as { message?: unknown } | null)?.message;
  if (typeof message === "string") return message;
  try {
    return JSON.stringify(thrown) ?? String(thrown);
  } catch {
    return String(thrown);
  }
}

const reply = (message: ThreadReply) => port.postMessage(message);

/**
 * Instantiates a policy after checking that every builtin it calls is provided (loading those
 * provided on demand): a bundle that needs one we lack is refused here, naming each, never at
 * evaluation time. Then pays its builtins' one-time costs (`warmUp`) and the bundle's warm-up
 * evaluations (`runWarmUp`), so the first check does not.
 */
function load(image: PolicyImage): Record<string, number> {
  const instance = instantiate(image);
  const required = instance.builtins;
  const missing = missingBuiltins(required, [], rego.prepare(required));
  if (missing.length > 0) {
    instances.delete(image.policy);
    throw new MissingBuiltins(missing);
  }
  warmUp(required, contexts.current);
  if (!runWarmUp(instance, image.warmUp, contexts, warmUpRounds)) instances.delete(image.policy);
  images.set(image.policy, image);
  return instance.entrypoints;
}

/** A module calls builtins nobody provides: `missing` as {@link missingBuiltins} words them. */
class MissingBuiltins extends Error {
  readonly names: string[];

  constructor(missing: string[]) {
    super(`policy.wasm calls builtins this sidecar does not provide: ${missing.join(", ")}`);
    this.names = missing.map((entry) => entry.split(" ")[0] ?? entry);
  }
}

function evaluate(request: Extract<ThreadRequest, { kind: "evaluate" }>): ThreadReply {
  const image = images.get(request.policy);
  if (!image) return { kind: "error", id: request.id, message: "policy not loaded" };
  if (Date.now() > request.expiresAt) return { kind: "expired", id: request.id };
  try {
    evaluating = request.id;
    contexts.begin();
    const instance = instances.get(request.policy) ?? instantiate(image);
    const first = instance.evaluate(request.input, request.entrypoint)[0];
    return { kind: "result", id: request.id, defined: first !== undefined, value: first?.result };
  } catch (error) {
    // A trap can leave the instance's heap in any state: the next evaluation gets a fresh one.
    instances.delete(request.policy);
    return { kind: "error", id: request.id, message: describe(error) };
  }
}

for (const image of policies) {
  try {
    load(image);
  } catch (error) {
    reply({ kind: "started-without", policy: image.policy, message: describe(error) });
  }
}
reply({ kind: "ready" });

function handle(request: ThreadRequest) {
  if (request.kind === "evaluate") return reply(evaluate(request));
  if (request.kind === "unload") {
    images.delete(request.policy);
    instances.delete(request.policy);
    return;
  }
  try {
    reply({ kind: "loaded", policy: request.policy, entrypoints: load(request) });
  } catch (error) {
    images.delete(request.policy);
    instances.delete(request.policy);
    const missingBuiltins = error instanceof MissingBuiltins ? error.names : undefined;
    reply({
      kind: "load-failed",
      policy: request.policy,
      message: describe(error),
      missingBuiltins,
    });
  }
}

// The thread does nothing but this: drain the port, then sleep until the pool signals again.
// Reading the counter before draining means a message posted meanwhile ends the wait at once.
const posted = new Int32Array(signal);
for (;;) {
  const seen = Atomics.load(posted, 0);
  for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) {
    handle(next.message as ThreadRequest);
  }
  Atomics.wait(posted, 0, seen);
}

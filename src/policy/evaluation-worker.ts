/**
 * One evaluation thread: holds a wasm instance of each loaded policy and evaluates the input
 * documents the pool sends it, one at a time. The pool may terminate this thread at any moment
 * (a deadline passed); nothing here needs cleaning up when it does.
 */
import { createRequire } from "node:module";
import { receiveMessageOnPort, workerData } from "node:worker_threads";
import type { LoadedPolicy } from "@open-policy-agent/opa-wasm";
import type {
  PolicyImage,
  ThreadReply,
  ThreadRequest,
  ThreadSetup,
} from "./evaluation-protocol.js";

// The package's ES module entry exports only `loadPolicy`; `loadPolicySync` is on the CommonJS one.
const opa = createRequire(import.meta.url)(
  "@open-policy-agent/opa-wasm",
) as typeof import("@open-policy-agent/opa-wasm");

const { maxMemoryPages, policies, port, signal } = workerData as ThreadSetup;
const images = new Map<number, PolicyImage>();
/** Instances by policy; absent after a trap until the next evaluation makes a fresh one. */
const instances = new Map<number, LoadedPolicy>();

function instantiate(image: PolicyImage): LoadedPolicy {
  const instance = opa.loadPolicySync(image.module, { initial: 5, maximum: maxMemoryPages });
  instance.setData(image.data);
  instances.set(image.policy, instance);
  return instance;
}

/** opa-wasm throws strings and plain objects as well as Errors. */
function describe(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === "string") return thrown;
  try {
    return JSON.stringify(thrown) ?? String(thrown);
  } catch {
    return String(thrown);
  }
}

const reply = (message: ThreadReply) => port.postMessage(message);

function load(image: PolicyImage): Record<string, number> {
  images.set(image.policy, image);
  return instantiate(image).entrypoints as Record<string, number>;
}

function evaluate(request: Extract<ThreadRequest, { kind: "evaluate" }>): ThreadReply {
  const image = images.get(request.policy);
  if (!image) return { kind: "error", id: request.id, message: "policy not loaded" };
  try {
    const instance = instances.get(request.policy) ?? instantiate(image);
    const resultSet = instance.evaluate(request.input, request.entrypoint) as Array<{
      result: unknown;
    }>;
    const first = resultSet[0];
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
    reply({ kind: "load-failed", policy: request.policy, message: describe(error) });
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

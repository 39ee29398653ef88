import type { ContextSource } from "./builtins/index.js";
import type { WasmPolicy } from "./wasm-policy.js";

/**
 * Where a bundle's data document lists its warm-up inputs: `data.openclaw_authz.warm_up`, an
 * array of input documents (objects).
 */
export const WARM_UP_PATH = ["openclaw_authz", "warm_up"] as const;

/**
 * How many times each warm-up input is evaluated, for a process started with `execArgv`: V8
 * compiles a regex to bytecode on its first run and to machine code on the next (its tier-up), and
 * both cost a long pattern tens of ms. Started as the image starts it (`node --no-regexp-tier-up`,
 * see the Dockerfile) the first run compiles to machine code: once is enough. The flag is the
 * whole process's, threads included, but only node's own command line shows it: a thread's
 * `process.execArgv` is the `execArgv` it was started with, so the pool decides for its threads.
 */
export function warmUpRounds(execArgv: readonly string[]): number {
  return execArgv.includes("--no-regexp-tier-up") ? 1 : 2;
}

/**
 * The warm-up inputs of a bundle's data document (its JSON text), each as JSON text; none when it
 * has no `openclaw_authz.warm_up`. Read once, when the bundle loads, and handed to every thread
 * with the policy. Throws when that is not an array of objects, so the bundle is refused at load
 * rather than served without the warm-up its author asked for.
 */
export function warmUpInputs(data: string): string[] {
  let value: unknown = JSON.parse(data);
  for (const key of WARM_UP_PATH) {
    if (!isObject(value)) return [];
    value = value[key];
  }
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isObject)) {
    throw new Error(`data.${WARM_UP_PATH.join(".")} must be an array of input documents`);
  }
  return value.map((input) => JSON.stringify(input));
}

/**
 * Evaluates every entrypoint of `instance` with each of the bundle's warm-up `inputs` (see
 * {@link warmUpInputs}) `rounds` times ({@link warmUpRounds}), results dropped, so that what a
 * policy's first checks would pay once per thread is paid when the bundle loads: the regexes it builds from its data
 * (the prompt guard's pattern groups: ~80 ms), translated and compiled into the thread's cache
 * (`EvaluationContext.compiled`), and the builtins' own first-use costs. False when an evaluation
 * threw: the instance may be in any state then, and the caller replaces it.
 */
export function runWarmUp(
  instance: WasmPolicy,
  inputs: readonly string[],
  contexts: ContextSource,
  rounds: number,
): boolean {
  try {
    for (let round = 0; round < rounds; round++) {
      for (const input of inputs) {
        for (const entrypoint of Object.values(instance.entrypoints)) {
          contexts.begin();
          instance.evaluate(input, entrypoint);
        }
      }
    }
    return true;
  } catch {
    // The policy fails on its own warm-up input: its first check pays the costs, nothing more.
    return false;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

import type { ContextSource } from "./context.js";
import { cryptoBuiltins } from "./crypto.js";
import { dataBuiltins } from "./data.js";
import { graphqlBuiltins } from "./graphql.js";
import { jwtBuiltins } from "./jwt.js";
import { printBuiltins } from "./print.js";
import type { BuiltinTable } from "./table.js";
import { textBuiltins } from "./text.js";
import { timeBuiltins } from "./time.js";

export {
  type ContextSource,
  createContextSource,
  type EvaluationContext,
  rawJson,
} from "./context.js";
export type { Builtin, BuiltinTable } from "./table.js";

/** Every builtin this sidecar provides to wasm policies, beyond the SDK's own. */
export const BUILTINS: BuiltinTable = {
  ...textBuiltins,
  ...timeBuiltins,
  ...cryptoBuiltins,
  ...jwtBuiltins,
  ...dataBuiltins,
  ...printBuiltins,
  ...graphqlBuiltins,
};

/**
 * Builtins that cannot run inside one synchronous evaluation: a bundle that needs one is refused
 * when it loads, naming it (opa-envoy-plugin runs them; see the README's compatibility section).
 */
export const REFUSED_BUILTINS: Record<string, string> = {
  "http.send": "needs the network during evaluation",
  "net.lookup_ip_addr": "needs DNS during evaluation",
};

/**
 * The table opa-wasm calls: each builtin bound to the evaluation under way, with topdown's
 * non-strict error rule (an error makes the expression undefined, the query goes on).
 */
export function hostBuiltins(
  contexts: ContextSource,
): Record<string, (...args: unknown[]) => unknown> {
  const table: Record<string, (...args: unknown[]) => unknown> = {};
  for (const [name, builtin] of Object.entries(BUILTINS)) {
    table[name] = (...args) => {
      try {
        return builtin(contexts.current, ...args);
      } catch {
        return undefined;
      }
    };
  }
  return table;
}

/**
 * Which of `required` (a module's `builtins` export) nothing provides: each with why when it is
 * refused on purpose, else "not provided".
 */
export function missingBuiltins(required: string[], sdk: Iterable<string>): string[] {
  const provided = new Set([...sdk, ...Object.keys(BUILTINS)]);
  return required
    .filter((name) => !provided.has(name))
    .sort()
    .map((name) => `${name} (${REFUSED_BUILTINS[name] ?? "not provided"})`);
}

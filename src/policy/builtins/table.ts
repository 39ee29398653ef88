import type { EvaluationContext } from "./context.js";

/**
 * A family of builtins by their Rego names. Arguments arrive as JSON values (numbers as float64;
 * a set as the array of its members in topdown's order, or a `RegoSet` for the builtins
 * `SET_BUILTINS.takes` names); the context comes first. A builtin throws
 * (anything) for what topdown reports as a builtin error: the expression is then undefined, as in
 * opa-envoy-plugin's non-strict evaluation. Return `undefined` for an undefined result, an
 * ArrayBuffer of JSON text (`rawJson`) for values JSON.stringify cannot write exactly, and sets
 * as `RegoSet`s (only the builtins `SET_BUILTINS.gives` names are read back as sets).
 */
// biome-ignore lint/suspicious/noExplicitAny: builtins take whatever JSON the policy passes, each declaring and checking its own arguments; unknown[] would reject every typed builtin
export type Builtin = (context: EvaluationContext, ...args: any[]) => unknown;

export type BuiltinTable = Record<string, Builtin>;

import type { ContextSource, EvaluationContext } from "./context.js";
import { cryptoBuiltins } from "./crypto.js";
import { dataBuiltins } from "./data.js";
import { graphqlBuiltins } from "./graphql.js";
import { jwtBuiltins } from "./jwt.js";
import { printBuiltins } from "./print.js";
import { REGO_PARSE_MODULE } from "./rego.js";
import type { BuiltinTable } from "./table.js";
import { textBuiltins } from "./text.js";
import { timeBuiltins } from "./time.js";

export {
  type ContextSource,
  createContextSource,
  type EvaluationContext,
  rawJson,
} from "./context.js";
export { compareValues, setOf } from "./data-value.js";
export { createRegoBuiltins, REGO_PARSER_LIMITS, type RegoBuiltins } from "./rego.js";
export { loadRegoParser, REGO_PARSER_WASM, type RegoParser } from "./rego-parser.js";
export { RegoSet } from "./rego-set.js";
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
 * Where sets cross to and from our builtins. `takes`: those that receive a set as a `RegoSet`,
 * because topdown treats a set apart from an array there; every other builtin receives a set as
 * the array of its members in topdown's order (which is all topdown's own code does with it).
 * `gives`: those whose results may hold `RegoSet`s, written back to the module as sets.
 */
export const SET_BUILTINS: { takes: ReadonlySet<string>; gives: ReadonlySet<string> } = {
  takes: new Set([
    "internal.print",
    // It prints a set as Rego does: {1, 2}, set().
    "sprintf",
    "json.patch",
    "net.cidr_contains_matches",
    "object.subset",
    // Its result holds the request it was given, body and all.
    "providers.aws.sign_req",
  ]),
  gives: new Set([
    "graph.reachable_paths",
    "json.patch",
    "net.cidr_contains_matches",
    "net.cidr_expand",
    "net.cidr_merge",
    "providers.aws.sign_req",
  ]),
};

/**
 * Builtins a thread provides once it has loaded what they need (OPA's parser for
 * `rego.parse_module`), which it does only for a bundle that calls them: see `createRegoBuiltins`.
 */
export const ON_DEMAND_BUILTINS: readonly string[] = [REGO_PARSE_MODULE];

/**
 * Builtins that cannot run inside one synchronous evaluation: a bundle that needs one is refused
 * when it loads, naming it (opa-envoy-plugin runs them; see the README's compatibility section).
 */
export const REFUSED_BUILTINS: Record<string, string> = {
  "http.send": "needs the network during evaluation",
  "net.lookup_ip_addr": "needs DNS during evaluation",
};

/**
 * The table opa-wasm calls: each builtin (`BUILTINS` and the thread's `onDemand` ones) bound to
 * the evaluation under way, with topdown's non-strict error rule (an error makes the expression
 * undefined, the query goes on).
 */
export function hostBuiltins(
  contexts: ContextSource,
  onDemand: BuiltinTable = {},
): Record<string, (...args: unknown[]) => unknown> {
  const table: Record<string, (...args: unknown[]) => unknown> = {};
  for (const [name, builtin] of Object.entries({ ...BUILTINS, ...onDemand })) {
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
 * One call per family whose first use in a thread costs more than an evaluation deadline should
 * spend: ICU's time-zone data (100–400 ms on this project's 2-core CI machine) and the schema
 * compiler (~40 ms). Made when a policy that needs them loads, not in its first check.
 */
const WARM_UPS: Array<[applies: (name: string) => boolean, builtin: string, args: unknown[]]> = [
  [(name) => name.startsWith("time."), "time.date", [[0, "America/New_York"]]],
  [
    (name) => name.startsWith("json.") && name.endsWith("_schema"),
    "json.match_schema",
    [{}, { type: "object", properties: { a: { type: "string" } } }],
  ],
];

/** Pays the one-time costs of the builtins in `required` (a module's `builtins` export). */
export function warmUp(required: string[], context: EvaluationContext): void {
  for (const [applies, name, args] of WARM_UPS) {
    if (!required.some(applies)) continue;
    try {
      BUILTINS[name]?.(context, ...args);
    } catch {
      // A warm-up that fails costs the first check its time, nothing more.
    }
  }
}

/**
 * Which of `required` (a module's `builtins` export) nothing provides (neither `BUILTINS`, the
 * on-demand ones, nor `alsoProvided`): each with why when it is refused on purpose or
 * `unavailable` (an on-demand builtin whose module did not load), else "not provided".
 */
export function missingBuiltins(
  required: string[],
  alsoProvided: Iterable<string>,
  unavailable: Record<string, string> = {},
): string[] {
  const provided = new Set([...alsoProvided, ...Object.keys(BUILTINS), ...ON_DEMAND_BUILTINS]);
  return required
    .filter((name) => !provided.has(name) || name in unavailable)
    .sort()
    .map((name) => `${name} (${unavailable[name] ?? REFUSED_BUILTINS[name] ?? "not provided"})`);
}

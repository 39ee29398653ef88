import type { State } from "./text-template-exec.js";
import { FUNCS } from "./text-template-funcs.js";
import type { Operand } from "./text-template-nodes.js";
import {
  type Final,
  INVALID,
  isTrue,
  MISSING,
  type Param,
  type Value,
  validateType,
} from "./text-template-values.js";

/** Each builtin function's parameters (funcs.go): fixed ones, then a variadic one. */
const SIGNATURES: Record<string, { fixed: Param[]; variadic?: Param }> = {
  and: { fixed: ["value"], variadic: "value" },
  or: { fixed: ["value"], variadic: "value" },
  call: { fixed: ["value"], variadic: "value" },
  index: { fixed: ["value"], variadic: "value" },
  slice: { fixed: ["value"], variadic: "value" },
  eq: { fixed: ["value"], variadic: "value" },
  len: { fixed: ["value"] },
  not: { fixed: ["value"] },
  ne: { fixed: ["value", "value"] },
  lt: { fixed: ["value", "value"] },
  le: { fixed: ["value", "value"] },
  gt: { fixed: ["value", "value"] },
  ge: { fixed: ["value", "value"] },
  print: { fixed: [], variadic: "any" },
  println: { fixed: [], variadic: "any" },
  printf: { fixed: ["string"], variadic: "any" },
  html: { fixed: [], variadic: "any" },
  js: { fixed: [], variadic: "any" },
  urlquery: { fixed: [], variadic: "any" },
};

/**
 * A call of a builtin function (exec.go evalCall): its arguments, then the piped-in `final` value
 * last. `and` and `or` stop at the first false or true argument.
 */
export function evalCall(
  state: State,
  dot: Value,
  name: string,
  args: Operand[],
  final: Final,
): Value {
  const sig = SIGNATURES[name];
  if (!sig) throw new Error(`template: ${name} is not a defined function`);
  const numIn = args.length + (final === MISSING ? 0 : 1);
  if (sig.variadic ? numIn < sig.fixed.length : numIn !== sig.fixed.length) {
    throw new Error(`template: wrong number of args for ${name}`);
  }
  const param = (i: number) => (i < sig.fixed.length ? sig.fixed[i] : sig.variadic);
  if (name === "and" || name === "or") {
    let v: Value = INVALID;
    for (const arg of args) {
      v = state.evalArg(dot, "value", arg);
      if (isTrue(v) === (name === "or")) return v;
    }
    return final === MISSING ? v : final;
  }
  const argv = args.map((arg, i) => state.evalArg(dot, param(i), arg));
  if (final !== MISSING) argv.push(validateType(final, param(numIn - 1)));
  const fn = FUNCS[name];
  if (!fn) throw new Error(`template: error calling ${name}: not a function`);
  return fn(argv);
}

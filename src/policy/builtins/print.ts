import { RegoSet } from "./rego-set.js";
import type { BuiltinTable } from "./table.js";
import { regoText } from "./text-sprintf.js";

/**
 * `print(...)`, which the compiler turns into `internal.print([operands])`: each operand is the
 * set of its values; one line per combination, values joined by spaces, strings
 * bare, an operand with no value as `<undefined>` (topdown/print.go). Always true, so printing
 * never changes a decision.
 */
export const printBuiltins: BuiltinTable = {
  "internal.print": (context, operands: unknown[]) => {
    const columns = operands.map((operand) =>
      operand instanceof RegoSet
        ? operand.members.length === 0
          ? ["<undefined>"]
          : operand.members.map(show)
        : [show(operand)],
    );
    for (const line of crossProduct(columns)) context.print(line.join(" "));
    return true;
  },
};

function show(value: unknown): string {
  return typeof value === "string" ? value : regoText(value);
}

function* crossProduct(columns: string[][], prefix: string[] = []): Generator<string[]> {
  const [first, ...rest] = columns;
  if (first === undefined) {
    yield prefix;
    return;
  }
  for (const value of first) yield* crossProduct(rest, [...prefix, value]);
}

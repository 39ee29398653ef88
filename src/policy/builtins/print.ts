import type { BuiltinTable } from "./table.js";

/**
 * `print(...)`, which the compiler turns into `internal.print([operands])`: each operand is the
 * set of its values (an array here); one line per combination, values joined by spaces, strings
 * bare, an operand with no value as `<undefined>` (topdown/print.go). Always true, so printing
 * never changes a decision.
 */
export const printBuiltins: BuiltinTable = {
  "internal.print": (context, operands: unknown[]) => {
    const columns = operands.map((operand) =>
      Array.isArray(operand)
        ? operand.length === 0
          ? ["<undefined>"]
          : operand.map(show)
        : [show(operand)],
    );
    for (const line of crossProduct(columns)) context.print(line.join(" "));
    return true;
  },
};

function show(value: unknown): string {
  return typeof value === "string" ? value : regoText(value);
}

/** A value as OPA writes a term: JSON with `, ` and `: ` between items, object keys sorted. */
function regoText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(regoText).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}: ${regoText(item)}`).join(", ")}}`;
  }
  return JSON.stringify(value);
}

function* crossProduct(columns: string[][], prefix: string[] = []): Generator<string[]> {
  const [first, ...rest] = columns;
  if (first === undefined) {
    yield prefix;
    return;
  }
  for (const value of first) yield* crossProduct(rest, [...prefix, value]);
}

/**
 * Operand checks as topdown/builtins has them: a wrong type throws (a builtin error, so the
 * expression is undefined). `pos` is the 1-based operand position, as in OPA's messages.
 */

/** The operand as a string, else throws. */
export function string(value: unknown, pos: number): string {
  if (typeof value !== "string") throw new TypeError(`operand ${pos} must be string`);
  return value;
}

/** The operand as a safe integer (Go's `IntOperand`), else throws. */
export function integer(value: unknown, pos: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new TypeError(`operand ${pos} must be integer number`);
  }
  return value;
}

/** A string, or the strings of an array (sets arrive as arrays); else throws. */
export function strings(value: unknown, pos: number): string[] {
  if (typeof value === "string") return [value];
  if (!Array.isArray(value)) throw new TypeError(`operand ${pos} must be string, set or array`);
  return value.map((item) => string(item, pos));
}

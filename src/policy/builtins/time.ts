import type { BuiltinTable } from "./table.js";

/** Builtins of this family, by Rego name (see table.ts for the calling convention). */
export const timeBuiltins: BuiltinTable = {};

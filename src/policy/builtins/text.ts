import type { BuiltinTable } from "./table.js";
import { idBuiltins } from "./text-ids.js";
import { regexBuiltins } from "./text-regex.js";
import { sprintfBuiltins } from "./text-sprintf.js";
import { stringBuiltins } from "./text-strings.js";
import { templateBuiltins } from "./text-template.js";
import { unitsBuiltins } from "./text-units.js";

/**
 * Builtins of this family, by Rego name (see table.ts for the calling convention): strings,
 * sprintf, render_template, regexes and globs, units, hex/base64url, uuid, semver, rand,
 * numbers.range_step. `sprintf` replaces opa-wasm's own.
 */
export const textBuiltins: BuiltinTable = {
  ...stringBuiltins,
  ...sprintfBuiltins,
  ...templateBuiltins,
  ...regexBuiltins,
  ...unitsBuiltins,
  ...idBuiltins,
};

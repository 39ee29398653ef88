import type { BuiltinTable } from "./table.js";
import { execute } from "./text-template-exec.js";
import { parseTemplates } from "./text-template-parse.js";
import { fromData } from "./text-template-values.js";

/**
 * `strings.render_template` (topdown/template.go): the template parsed by Go's text/template and
 * executed with the object as data, `<no value>` then replaced by `<undefined>`. Numbers are
 * json.Number (strings to text/template), missing keys print `<no value>` (missingkey=default).
 * Parse and execution errors throw, so the call is undefined. Not provided (they throw):
 * complex and hexadecimal floating-point constants, `%p` and `%x` of floats in printf, string
 * escapes or `slice` cuts that leave invalid UTF-8; nesting beyond MAX_NESTING, template calls
 * beyond MAX_TEMPLATE_DEPTH, output beyond MAX_OUTPUT.
 */
export const templateBuiltins: BuiltinTable = {
  "strings.render_template": (_context, template, variables) => {
    if (typeof template !== "string") throw new TypeError("operand 1 must be string");
    if (variables === null || typeof variables !== "object" || Array.isArray(variables)) {
      throw new TypeError("operand 2 must be object");
    }
    const output = execute(parseTemplates(template), fromData(variables));
    return output.replaceAll("<no value>", "<undefined>");
  },
};

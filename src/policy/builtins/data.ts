import { jsonBuiltins } from "./data-json.js";
import { miscBuiltins } from "./data-misc.js";
import { netBuiltins } from "./data-net.js";
import { urlBuiltins } from "./data-url.js";
import { yamlBuiltins } from "./data-yaml.js";
import type { BuiltinTable } from "./table.js";

/**
 * Builtins of this family, by Rego name (see table.ts for the calling convention): object.subset,
 * json.patch/is_valid/marshal_with_options/match_schema/verify_schema, yaml.*, urlquery.*, uri.*,
 * net.cidr_* (but net.cidr_contains, which the wasm has), graph.reachable_paths, opa.runtime,
 * providers.aws.sign_req. json.is_valid and yaml.* replace opa-wasm's own. opa-wasm hands sets over as arrays and takes results back as JSON, so
 * what topdown returns as a set (net.cidr_expand, net.cidr_merge, net.cidr_contains_matches,
 * graph.reachable_paths) is an array here, deduplicated and in topdown's set order.
 */
export const dataBuiltins: BuiltinTable = {
  ...jsonBuiltins,
  ...urlBuiltins,
  ...netBuiltins,
  ...miscBuiltins,
  ...yamlBuiltins,
};

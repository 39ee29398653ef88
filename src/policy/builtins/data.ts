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
 * providers.aws.sign_req. json.is_valid and yaml.* replace opa-wasm's own. What topdown returns
 * as a set (net.cidr_expand, net.cidr_merge, net.cidr_contains_matches, graph.reachable_paths)
 * is a `RegoSet`; object.subset, json.patch and net.cidr_contains_matches take sets as
 * `RegoSet`s (see SET_BUILTINS in index.ts).
 */
export const dataBuiltins: BuiltinTable = {
  ...jsonBuiltins,
  ...urlBuiltins,
  ...netBuiltins,
  ...miscBuiltins,
  ...yamlBuiltins,
};

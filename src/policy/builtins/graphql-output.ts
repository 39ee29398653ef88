/**
 * An AST as OPA returns it (topdown/graphql.go): gqlparser's structs through encoding/json
 * (`json:"-"` fields left out), then pruneIrrelevantGraphQLASTNodes, which drops every
 * "Position", every null, and every array or object left empty, at any depth. Zero values ("",
 * false, 0) stay.
 */
export function astValue(node: object): Record<string, unknown> {
  return prune(node) as Record<string, unknown>;
}

/** "Position" is pruned by OPA; "TypePositions" is `json:"-"` in gqlparser. */
const HIDDEN = new Set(["Position", "TypePositions"]);

function prune(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(prune).filter(kept);
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (HIDDEN.has(key)) continue;
    const pruned = prune(value);
    if (kept(pruned)) out[key] = pruned;
  }
  return out;
}

function kept(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  return typeof value !== "object" || Object.keys(value).length > 0;
}

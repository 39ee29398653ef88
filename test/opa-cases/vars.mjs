/**
 * The variables of each case's query, as OPA's query compiler binds them: `opa parse` of one
 * module holding every query as a rule body, then the vars outside comprehensions, `every` and
 * call operators, without `data`, `input` and wildcards.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const ROOTS = new Set(["data", "input"]);

function collect(term, into) {
  if (term === null || typeof term !== "object") return;
  if (Array.isArray(term)) {
    for (const t of term) collect(t, into);
    return;
  }
  switch (term.type) {
    case "var":
      if (!term.value.startsWith("$") && !ROOTS.has(term.value)) into.add(term.value);
      return;
    case "ref":
      return collect(term.value, into);
    case "call":
      return collect(term.value.slice(1), into);
    case "array":
    case "set":
      return collect(term.value, into);
    case "object":
      for (const [k, v] of term.value) collect([k, v], into);
      return;
    default:
      if (term.symbols) collect(term.symbols, into);
  }
}

function queryVars(body) {
  const vars = new Set();
  for (const expr of body) {
    if (Array.isArray(expr.terms)) collect(expr.terms.slice(1), vars);
    else collect(expr.terms, vars);
  }
  return [...vars];
}

/**
 * Parses every case's query; returns `Map<id, string[] | {error}>` (a query that does not parse
 * on its own gets its error).
 */
export function parseQueryVars(cases, opa, workDir) {
  const result = new Map();
  const parseAll = (list) => {
    const text = list.map((c) => `${c.id} if {\n${c.query}\n}\n`).join("\n");
    const file = join(workDir, "queries.rego");
    writeFileSync(file, `package __queries\n\n${text}`);
    const out = execFileSync(opa, ["parse", "--format", "json", file], {
      encoding: "utf8",
      maxBuffer: 1 << 30,
      stdio: ["ignore", "pipe", "pipe"],
    });
    return JSON.parse(out).rules ?? [];
  };
  try {
    for (const rule of parseAll(cases)) result.set(rule.head.name, queryVars(rule.body));
  } catch {
    for (const c of cases) {
      try {
        const [rule] = parseAll([c]);
        result.set(c.id, queryVars(rule.body));
      } catch (error) {
        result.set(c.id, { error: String(error.stderr ?? error.message).trim() });
      }
    }
  }
  return result;
}

/**
 * OPA's own builtin test corpus (v1/test/cases/testdata/v1 of the pinned opa Go module): finds
 * the module with `go mod download`, reads every case, and rewrites each into a namespace of its
 * own so that many cases compile into one `opa build -t wasm`.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";

/** The opa module's folder in the Go module cache (downloads it from the Go proxy once). */
export function opaModuleDir(version) {
  const out = execFileSync(
    "go",
    ["mod", "download", "-json", `github.com/open-policy-agent/opa@${version}`],
    { encoding: "utf8", env: { ...process.env, GOFLAGS: "-mod=mod" } },
  );
  const info = JSON.parse(out);
  if (!info.Dir) throw new Error(`go mod download gave no Dir: ${info.Error ?? out}`);
  return info.Dir;
}

function yamlFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return yamlFiles(path);
      return /\.ya?ml$/.test(entry.name) ? [path] : [];
    });
}

/**
 * Every case under `root`, in file order, each with `family` (its directory), `file` (relative)
 * and `id` (its namespace, `c<index>`).
 */
export function loadCases(root) {
  const cases = [];
  for (const path of yamlFiles(root)) {
    const file = relative(root, path);
    for (const doc of parseAllDocuments(readFileSync(path, "utf8"), { intAsBigInt: false })) {
      for (const c of doc.toJS()?.cases ?? []) {
        cases.push({ ...c, file, family: file.split("/")[0], id: `c${cases.length}` });
      }
    }
  }
  return cases;
}

const IDENT = /[A-Za-z0-9_]/;

/**
 * Rewrites Rego source so that `data` means the case's own subtree: every `data` reference that
 * is a root (not a field, not inside a string or comment) becomes `data.<ns>`, and `package p`
 * becomes `package <ns>.p`. A bare `import data` (a no-op) is dropped.
 */
export function namespace(source, ns) {
  let out = "";
  let i = 0;
  const n = source.length;
  while (i < n) {
    const ch = source[i];
    if (ch === "#") {
      const end = source.indexOf("\n", i);
      const stop = end === -1 ? n : end;
      out += source.slice(i, stop);
      i = stop;
    } else if (ch === '"' || ch === "`") {
      let j = i + 1;
      while (j < n && source[j] !== ch) j += ch === '"' && source[j] === "\\" ? 2 : 1;
      const text = source.slice(i, j + 1);
      // A template string ($"…{expr}…"): its expressions refer to data too (so, here, does any
      // word "data" in its text: none of the corpus's templates has one).
      out += source[i - 1] === "$" ? text.replace(/(^|[^\w.])data\b/g, `$1data.${ns}`) : text;
      i = j + 1;
    } else if (IDENT.test(ch)) {
      let j = i;
      while (j < n && IDENT.test(source[j])) j++;
      const word = source.slice(i, j);
      const prev = previousNonSpace(source, i);
      const declaration =
        word === "package" && (prev === "\n" || prev === "") && /[ \t]/.test(source[j] ?? "");
      if (word === "data" && prev !== ".") out += `data.${ns}`;
      else if (declaration) out += `package ${ns}.`;
      else out += word;
      if (declaration) j = skipSpaces(source, j);
      i = j;
    } else {
      out += ch;
      i++;
    }
  }
  return out.replace(new RegExp(`^(\\s*)import data\\.${ns}\\s*$`, "gm"), "$1");
}

function previousNonSpace(source, i) {
  let k = i - 1;
  while (k >= 0 && (source[k] === " " || source[k] === "\t")) k--;
  return k < 0 ? "" : source[k];
}

function skipSpaces(source, j) {
  let k = j;
  while (k < source.length && (source[k] === " " || source[k] === "\t")) k++;
  return k;
}

/** The entrypoint (`/`-path) of a case's query rule. */
export const entrypointOf = (c) => `q_${c.id}/result`;

/**
 * Whether a case must be built alone, as written: rego.metadata.chain reports package paths, so
 * the namespace prefix would show in its result.
 */
export const isSolo = (c) =>
  [...(c.modules ?? []), c.query].some((text) => text.includes("rego.metadata.chain"));

/**
 * The files of one case: its modules under its namespace (as written when it is solo), and a
 * wrapper module whose rule `result` is the set of the query's bindings (`vars`: the query's
 * variable names), as OPA's wasm e2e gets from compiling the query itself.
 */
export function caseFiles(c, vars) {
  const scope = (source) => (isSolo(c) ? source : namespace(source, c.id));
  const files = (c.modules ?? []).map((source, k) => ({
    name: `${c.id}_${k}.rego`,
    text: scope(source),
  }));
  const bindings = vars.map((v) => `${JSON.stringify(v)}: ${v}`).join(", ");
  const query = scope(c.query);
  files.push({
    name: `${c.id}_query.rego`,
    text: `package q_${c.id}\n\nresult contains __bindings__ if {\n${query}\n__bindings__ := {${bindings}}\n}\n`,
  });
  return files;
}

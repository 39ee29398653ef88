/**
 * Compiles a batch of cases into one wasm module with the pinned `opa build -t wasm`, one
 * entrypoint per case. A case whose modules do not compile is taken out (with its error) and the
 * rest rebuilt, so one bad case costs its batch one more build, not its result.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { caseFiles, entrypointOf } from "./cases.mjs";

const ERROR_LINE = /^(?:\d+ errors? occurred:\s*)?(\S+?\.rego):(\d+): (\w+): (.*)$/;

/** Errors of a failed build, by case id: `{code, message}`; `unattributed` when none parse. */
function attribute(stderr) {
  const byCase = new Map();
  for (const line of stderr.split("\n")) {
    const m = ERROR_LINE.exec(line.trim());
    if (!m) continue;
    const id = basename(m[1]).split("_")[0];
    if (!byCase.has(id)) byCase.set(id, { code: m[3], message: `${m[3]}: ${m[4]}` });
  }
  return byCase;
}

/**
 * Builds `cases` (each with `vars`) in `dir`, with `capabilities` (a file) when given. Returns
 * `{modules, compileErrors}`: `modules` are `{wasm, built}` (usually one; more when the batch had
 * to be split); `compileErrors` maps case id to `{code, message}`.
 */
export function buildBatch(cases, opa, dir, capabilities) {
  const compileErrors = new Map();
  let pending = cases;
  while (pending.length > 0) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, "src"), { recursive: true });
    for (const c of pending) {
      for (const f of caseFiles(c, c.vars)) writeFileSync(join(dir, "src", f.name), f.text);
    }
    const bundle = join(dir, "bundle.tar.gz");
    const args = ["build", "-t", "wasm", "-o", bundle];
    if (capabilities) args.push("--capabilities", capabilities);
    for (const c of pending) args.push("-e", entrypointOf(c));
    args.push(join(dir, "src"));
    const run = spawnSync(opa, args, { encoding: "utf8", maxBuffer: 1 << 28 });
    if (run.status === 0) {
      execFileSync("tar", ["-xzf", bundle, "-C", dir, "/policy.wasm"], { stdio: "ignore" });
      const wasm = readFileSync(join(dir, "policy.wasm"));
      return { modules: [{ wasm, built: pending }], compileErrors };
    }
    const errors = attribute(`${run.stderr}\n${run.stdout}`);
    const known = new Set(pending.map((c) => c.id));
    const blamed = [...errors.keys()].filter((id) => known.has(id));
    if (blamed.length === 0) {
      // An error naming no case file: split the batch until it does.
      if (pending.length === 1) {
        const message = (run.stderr || run.stdout).trim().split("\n").slice(0, 3).join(" ");
        compileErrors.set(pending[0].id, { code: "build_error", message });
        return { modules: [], compileErrors };
      }
      const half = Math.ceil(pending.length / 2);
      return mergeHalves(
        buildBatch(pending.slice(0, half), opa, `${dir}a`, capabilities),
        buildBatch(pending.slice(half), opa, `${dir}b`, capabilities),
        compileErrors,
      );
    }
    for (const id of blamed) compileErrors.set(id, errors.get(id));
    pending = pending.filter((c) => !compileErrors.has(c.id));
  }
  return { modules: [], compileErrors };
}

/** Two halves of a split batch: each keeps its own module. */
function mergeHalves(a, b, compileErrors) {
  for (const half of [a, b]) {
    for (const [id, error] of half.compileErrors) compileErrors.set(id, error);
  }
  return { modules: [...a.modules, ...b.modules], compileErrors };
}

#!/usr/bin/env node
/**
 * The child processes' coverage (NODE_V8_COVERAGE files: sidecars, CLI runs and their threads)
 * as istanbul coverage of src/, made the way vitest makes its own with
 * `experimentalAstAwareRemapping`: V8's counts over the AST of the code that ran (dist/, parsed by
 * the same parser), mapped back through tsc's source maps. Branches and statements then come from
 * the syntax, not from which blocks V8 happened to report, so both sides count the same branches
 * and scripts/coverage.mjs can merge them by location.
 * Usage: node scripts/children-coverage.mjs RAW_DIR OUT_DIR
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { mergeProcessCovs } from "@bcoe/v8-coverage";
import astV8ToIstanbul from "ast-v8-to-istanbul";
import libCoverage from "istanbul-lib-coverage";
import { parseAstAsync } from "vitest/node";

const [raw, out] = process.argv.slice(2);
if (!raw || !out) {
  console.error("usage: node scripts/children-coverage.mjs RAW_DIR OUT_DIR");
  process.exit(2);
}
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIST = pathToFileURL(join(ROOT, "dist")).href;

// A process killed while V8 wrote its file (a test's SIGKILL after a grace period) leaves it cut
// short: counted and named below, not merged.
const cutShort = [];
const processes = readdirSync(raw)
  .filter((name) => name.endsWith(".json"))
  .flatMap((name) => {
    let result;
    try {
      ({ result } = JSON.parse(readFileSync(join(raw, name), "utf8")));
    } catch {
      cutShort.push(name);
      return [];
    }
    return [{ result: result.filter((script) => script.url.startsWith(`${DIST}/`)) }];
  });
const merged = mergeProcessCovs(processes);
const coverage = libCoverage.createCoverageMap({});
for (const script of merged.result) {
  const path = fileURLToPath(script.url);
  const code = readFileSync(path, "utf8");
  const sourceMap = JSON.parse(readFileSync(`${path}.map`, "utf8"));
  coverage.merge(
    await astV8ToIstanbul({
      code,
      ast: parseAstAsync(code),
      coverage: script,
      sourceMap,
      wrapperLength: 0,
    }),
  );
}
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "coverage-final.json"), JSON.stringify(coverage.toJSON()));
console.log(
  `children: ${merged.result.length} scripts of dist/ from ${processes.length} processes` +
    (cutShort.length > 0
      ? `; ${cutShort.length} files cut short, left out: ${cutShort.join(", ")}`
      : ""),
);

#!/usr/bin/env node
/**
 * Coverage of the code that really runs in `npm test`: vitest's own processes (in-process tests
 * of src/, `build/coverage/in-process`) merged with every child process the tests start —
 * sidecars, CLI runs and their evaluation threads — which V8 recorded (NODE_V8_COVERAGE) and c8
 * mapped from dist/ back to src/ (`build/coverage/children`). The two are instrumented apart, so
 * they are merged by source location: a line or branch counts as covered when either side ran
 * it. Prints lines and branches per src/ folder and exits 1 when a folder's branch coverage falls
 * under its floor. Usage: node scripts/coverage.mjs
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const REPORTS = ["build/coverage/in-process", "build/coverage/children"].map((dir) =>
  join(ROOT, dir, "coverage-final.json"),
);
/**
 * Branch coverage (%) a folder may not fall under: a point or so under what the suite reached
 * (2026-12-02: identity 90.3, policy 81.3; branches that depend on timing move a run's figure by
 * a few tenths), raised as tests are added, never lowered; the aim is 90 for both.
 */
const BRANCH_FLOORS = { "src/identity": 89, "src/policy": 80 };

const at = (loc) => `${loc.start.line}:${loc.start.column}-${loc.end.line}:${loc.end.column}`;

/** folder → { lines: Map<key, covered>, branches: Map<key, covered> } */
const folders = new Map();
function tally(kind, folder, key, hits) {
  if (!folders.has(folder)) folders.set(folder, { lines: new Map(), branches: new Map() });
  const seen = folders.get(folder)[kind];
  seen.set(key, seen.get(key) === true || hits > 0);
}

for (const report of REPORTS) {
  if (!existsSync(report)) {
    console.error(`coverage: ${relative(ROOT, report)} is missing (run through scripts/test)`);
    process.exit(1);
  }
  for (const [path, file] of Object.entries(JSON.parse(readFileSync(report, "utf8")))) {
    const source = relative(ROOT, path);
    if (!source.startsWith("src/") || source.endsWith(".test.ts")) continue;
    const parts = source.split("/");
    const folder = parts.length > 2 ? `${parts[0]}/${parts[1]}` : "src";
    for (const [id, loc] of Object.entries(file.statementMap)) {
      // Lines, not statements: the two instrumentations cut statements differently.
      for (let line = loc.start.line; line <= loc.end.line; line++) {
        tally("lines", folder, `${source}:${line}`, file.s[id]);
      }
    }
    for (const [id, branch] of Object.entries(file.branchMap)) {
      branch.locations.forEach((loc, arm) => {
        tally("branches", folder, `${source}@${at(loc)}`, file.b[id][arm]);
      });
    }
  }
}

const percent = (seen) => {
  const covered = [...seen.values()].filter(Boolean).length;
  return seen.size === 0 ? 100 : (100 * covered) / seen.size;
};
let failed = false;
console.log("coverage (in-process + child processes)   lines  branches  floor");
for (const [folder, seen] of [...folders].sort()) {
  const lines = percent(seen.lines);
  const branches = percent(seen.branches);
  const floor = BRANCH_FLOORS[folder];
  const under = floor !== undefined && branches < floor;
  failed ||= under;
  console.log(
    `${folder.padEnd(40)} ${lines.toFixed(1).padStart(6)} ${branches.toFixed(1).padStart(9)}  ${floor === undefined ? "" : `${floor}${under ? "  UNDER" : ""}`}`,
  );
}
process.exit(failed ? 1 : 0);

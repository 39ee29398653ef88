#!/usr/bin/env node
/**
 * Coverage of the code that really runs in `npm test`: vitest's own processes (in-process tests
 * of src/, `build/coverage/in-process`) merged with every child process the tests start —
 * sidecars, CLI runs and their evaluation threads — which V8 recorded (NODE_V8_COVERAGE) and
 * scripts/children-coverage.mjs mapped from dist/ back to src/ (`build/coverage/children`). Both
 * take their statements and branches from the syntax of the code that ran (vitest's
 * `experimentalAstAwareRemapping`, and the same converter for the children), so a file has the
 * same branches, in the same order, on both sides, whether or not a process ran them: they are
 * merged branch by branch (an arm is covered when either side ran it), lines by line number.
 * Where a file's two branch lists differ (two transpilers disagreeing), its branches are matched
 * by where they start and the count of such files is printed. Prints lines and branches per src/
 * folder and exits 1 when a folder's branch coverage falls under its floor.
 * Usage: node scripts/coverage.mjs
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const REPORTS = ["build/coverage/in-process", "build/coverage/children"].map((dir) =>
  join(ROOT, dir, "coverage-final.json"),
);
/**
 * Branch coverage (%) a folder may not fall under (2026-12-02: identity 92.2, policy 92.0 reached;
 * issue 14 holds both at 90), raised as tests are added, never lowered.
 */
const BRANCH_FLOORS = { "src/identity": 90, "src/policy": 90 };

/** src/ file → its coverage in each report that has it. */
const files = new Map();
for (const report of REPORTS) {
  if (!existsSync(report)) {
    console.error(`coverage: ${relative(ROOT, report)} is missing (run through scripts/test)`);
    process.exit(1);
  }
  for (const [path, file] of Object.entries(JSON.parse(readFileSync(report, "utf8")))) {
    const source = relative(ROOT, path);
    if (!source.startsWith("src/") || source.endsWith(".test.ts")) continue;
    if (!files.has(source)) files.set(source, []);
    files.get(source).push(file);
  }
}

/** One branch as a key: its kind, where it starts, how many arms. */
const shape = (branch) =>
  `${branch.type}@${branch.loc.start.line}:${branch.loc.start.column}#${branch.locations.length}`;

/** Covered arms of a file's branches, merged over its reports. */
function branchArms(reports) {
  const lists = reports.map((file) =>
    Object.entries(file.branchMap).map(([id, branch]) => ({
      key: shape(branch),
      hits: file.b[id],
    })),
  );
  const sameShape = lists.every(
    (list) => list.length === lists[0].length && list.every((b, i) => b.key === lists[0][i].key),
  );
  // Same branches in the same order: by position in the list. Otherwise by shape.
  const merged = new Map();
  for (const list of lists) {
    list.forEach((branch, i) => {
      const key = sameShape ? i : branch.key;
      const arms = merged.get(key) ?? branch.hits.map(() => false);
      merged.set(
        key,
        arms.map((covered, arm) => covered || (branch.hits[arm] ?? 0) > 0),
      );
    });
  }
  return { arms: [...merged.values()].flat(), matchedByShape: !sameShape };
}

/** Covered lines of a file (a line is covered when a statement starting on it ran anywhere). */
function coveredLines(reports) {
  const lines = new Map();
  for (const file of reports) {
    for (const [id, loc] of Object.entries(file.statementMap)) {
      for (let line = loc.start.line; line <= loc.end.line; line++) {
        lines.set(line, lines.get(line) === true || file.s[id] > 0);
      }
    }
  }
  return [...lines.values()];
}

/** folder → { lines: boolean[], branches: boolean[] } */
const folders = new Map();
let matchedByShape = 0;
for (const [source, reports] of files) {
  const parts = source.split("/");
  const folder = parts.length > 2 ? `${parts[0]}/${parts[1]}` : "src";
  if (!folders.has(folder)) folders.set(folder, { lines: [], branches: [] });
  const tally = folders.get(folder);
  const { arms, matchedByShape: byShape } = branchArms(reports);
  if (byShape) matchedByShape++;
  tally.branches.push(...arms);
  tally.lines.push(...coveredLines(reports));
}

const percent = (covered) =>
  covered.length === 0 ? 100 : (100 * covered.filter(Boolean).length) / covered.length;
let failed = false;
console.log("coverage (in-process + child processes)   lines  branches  floor");
for (const [folder, seen] of [...folders].sort(([a], [b]) => a.localeCompare(b))) {
  const lines = percent(seen.lines);
  const branches = percent(seen.branches);
  const floor = BRANCH_FLOORS[folder];
  const under = floor !== undefined && branches < floor;
  failed ||= under;
  console.log(
    `${folder.padEnd(40)} ${lines.toFixed(1).padStart(6)} ${branches.toFixed(1).padStart(9)}  ${floor === undefined ? "" : `${floor}${under ? "  UNDER" : ""}`}`,
  );
}
if (matchedByShape > 0)
  console.log(`(${matchedByShape} files' branches matched by where they start, not by order)`);
process.exit(failed ? 1 : 0);

/**
 * One scratch directory per test run, and nothing left behind. Every temporary file of the run —
 * the tests' own `mkdtemp(tmpdir())` and whatever their child processes write — goes under
 * `$TMPDIR/oc-run-*` (TMPDIR is set before the test workers fork, and children inherit it). At the
 * end, any process still carrying that TMPDIR (a sidecar, oracle or redis-server a test did not
 * stop) is killed and named, which fails the run, and the directory, keys and all, is removed.
 * With OC_CHILD_COVERAGE set (scripts/test), every child writes its V8 coverage there.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), "oc-run-"));
  process.env.TMPDIR = root;
  // scripts/test measures the code its child processes run too (sidecars, CLI runs, their
  // evaluation threads): V8 writes each process's coverage there when it exits.
  if (process.env.OC_CHILD_COVERAGE) process.env.NODE_V8_COVERAGE = process.env.OC_CHILD_COVERAGE;
  return () => {
    const leftovers = processesWithEnv(`TMPDIR=${root}`);
    for (const { pid } of leftovers) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Gone meanwhile.
      }
    }
    rmSync(root, { recursive: true, force: true });
    if (leftovers.length > 0) {
      throw new Error(
        `test processes left running (killed): ${leftovers.map((p) => `${p.pid} ${p.command}`).join("; ")}`,
      );
    }
  };
}

/**
 * Processes whose environment holds `entry`, with their command lines: not this one, nor its own
 * children (vitest's test workers, which the pool ends itself).
 */
function processesWithEnv(entry: string): Array<{ pid: number; command: string }> {
  const found: Array<{ pid: number; command: string }> = [];
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const parent = Number(
        readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[1],
      );
      if (parent === process.pid) continue;
      if (!readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(entry)) continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
      found.push({ pid, command });
    } catch {
      // Exited, or not ours to read.
    }
  }
  return found;
}

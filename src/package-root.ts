import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The package's root (the folder with its package.json), from this module's own location: the
 * same answer whether it runs as a source under vitest (src/), as compiled by tsc (dist/…) or
 * inside the bundle (dist/main.js), so files shipped beside dist/ (proto/, build/, the evaluation
 * thread's script) are found from any of them.
 */
export const PACKAGE_ROOT: string = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(start: string): string {
  for (let folder = start; ; folder = dirname(folder)) {
    if (existsSync(join(folder, "package.json"))) return folder;
    if (dirname(folder) === folder) throw new Error(`no package.json above ${start}`);
  }
}

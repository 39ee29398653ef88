import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** Project-local tools installed by scripts/ (opa, grpcurl, authz-oracle). */
export const TOOLS_BIN = join(ROOT, ".tools/bin");

/** A path that `npm test` (scripts/test) builds before vitest runs; fails clearly when missing. */
export function built(relative: string): string {
  const path = join(ROOT, relative);
  if (!existsSync(path))
    throw new Error(
      `${relative} is missing: run the suite with \`npm test\` (scripts/test builds it)`,
    );
  return path;
}

export const tool = (name: string) => built(`.tools/bin/${name}`);

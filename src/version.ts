import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "./package-root.js";

/** The package version, read once from package.json at start. */
export const VERSION: string = (
  JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as {
    version: string;
  }
).version;

/**
 * The git commit this build was made from: the `COMMIT` file beside package.json (written by
 * `scripts/setup` in a git checkout, and by the Docker build from its `COMMIT` build argument),
 * else `unknown`.
 */
export const COMMIT: string = (() => {
  try {
    return readFileSync(join(PACKAGE_ROOT, "COMMIT"), "utf8").trim() || "unknown";
  } catch {
    return "unknown";
  }
})();

/** The @open-policy-agent/opa-wasm release the wasm glue (src/policy/wasm-policy.ts) follows. */
export const OPA_WASM_VERSION = "1.10.0";

/**
 * The OPA release bundles are built with (`opa build -t wasm`) and whose topdown the builtins
 * follow: `OPA_VERSION` in scripts/lib.sh, the one pin (test/cli.test.ts holds the two together).
 */
export const OPA_VERSION = "v1.19.1";

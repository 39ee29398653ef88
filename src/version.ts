import { readFileSync } from "node:fs";

const root = new URL("../", import.meta.url);

/** The package version, read once from package.json at start. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as {
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
    return readFileSync(new URL("COMMIT", root), "utf8").trim() || "unknown";
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

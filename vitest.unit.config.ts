import { defineConfig } from "vitest/config";

/**
 * `npm run test:unit`: the unit tests beside the code, in seconds, without Go tools, Redis or a
 * build. The two builtin tests that compare with the real `opa` (and OPA's parser built by Go)
 * run in `npm test` only.
 */
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    exclude: ["src/policy/builtins/crypto.test.ts", "src/policy/builtins/rego.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
  },
});

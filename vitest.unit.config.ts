import { defineConfig } from "vitest/config";

/**
 * `npm run test:unit`: the unit tests beside the code, without Go tools, Redis or a build. The
 * builtin tests that run the real `opa` to compare with (`*.topdown.test.ts`, test/support/topdown.ts) (and OPA's parser built by Go) run in
 * `npm test` only.
 */
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    exclude: [
      "src/**/*.topdown.test.ts",
      "src/policy/builtins/crypto.test.ts",
      "src/policy/builtins/graphql.test.ts",
      "src/policy/builtins/rego.test.ts",
      "src/policy/builtins/text-template.test.ts",
    ],
    globalSetup: ["test/support/global-setup.ts"],
  },
});

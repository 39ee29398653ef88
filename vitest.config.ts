import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    // `--coverage` (scripts/test): this process's share; scripts/coverage.mjs adds the children's.
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      exclude: ["src/**/*.test.ts"],
      reporter: ["json"],
      reportsDirectory: "build/coverage/in-process",
      // Statements and branches from the syntax, as scripts/children-coverage.mjs makes the
      // children's: the two sides then list the same branches and merge one to one.
      experimentalAstAwareRemapping: true,
    },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // One suite at a time: each drives a server process at full load on a 2-core machine.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 30_000,
    // .ci/run sums every package's .results/vitest*.json into its closing line.
    reporters: ["default", ["json", { outputFile: ".results/vitest.json" }]],
  },
});

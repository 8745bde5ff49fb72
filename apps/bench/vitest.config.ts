import { defineConfig } from "vitest/config";

// The bench's own unit tests (parsers, statistics, targets); the timed guard has its own config.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.guard.test.ts"],
    // .ci/run sums every package's .results/vitest*.json into its closing line.
    reporters: ["default", ["json", { outputFile: ".results/vitest.json" }]],
  },
});

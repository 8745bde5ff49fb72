import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // .ci/run sums every package's .results/vitest*.json into its closing line.
    reporters: ["default", ["json", { outputFile: ".results/vitest.json" }]],
  },
});

import { defineConfig } from "vitest/config";

// The real-browser suite: Chromium (Debian's, through playwright-core) drives the built page (dist/, which
// turbo builds before `test`). One file at a time: a browser and servers on a 2-core machine.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // .ci/run sums every package's .results/vitest*.json into its closing line.
    reporters: ["default", ["json", { outputFile: ".results/vitest.json" }]],
  },
});

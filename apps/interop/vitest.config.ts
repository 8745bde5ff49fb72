import { defineConfig } from "vitest/config";

const nodeMatrixSuffix = process.env.NODE_MATRIX_MAJOR ? `-node${process.env.NODE_MATRIX_MAJOR}` : "";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // One report per Node major under tools/test-tools' node-matrix; .ci/run sums them all.
    reporters: ["default", ["json", { outputFile: `.results/vitest${nodeMatrixSuffix}.json` }]],
  },
});

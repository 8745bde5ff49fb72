import { defineConfig } from "vitest/config";

// The container suite. One image build per run (test/global-setup.ts); files run one after another, each
// with its own container, so the 2-core machine is not oversubscribed and timings mean something.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // No ryuk reaper (its image cannot be pulled everywhere; the suite removes its own containers) and no
    // helper container to find the Docker host. A user's own setting wins.
    env: {
      TESTCONTAINERS_RYUK_DISABLED: process.env.TESTCONTAINERS_RYUK_DISABLED ?? "true",
      TESTCONTAINERS_HOST_OVERRIDE: process.env.TESTCONTAINERS_HOST_OVERRIDE ?? "localhost",
    },
    // .ci/run sums every package's .results/vitest*.json into its closing line.
    reporters: ["default", ["json", { outputFile: ".results/vitest.json" }]],
  },
});

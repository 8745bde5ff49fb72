import { defineConfig } from "vitest/config";

// `bench:guard` (run by `pnpm test` after every other suite): `pnpm bench --quick` as one counted test.
export default defineConfig({
  test: {
    include: ["test/**/*.guard.test.ts"],
    testTimeout: 120_000,
    reporters: ["default", ["json", { outputFile: ".results/vitest-guard.json" }]],
  },
});

// `pnpm test:unit`: the fast inner loop. Every package's unit suite in one vitest run on the Node you
// develop with, in parallel, without the slow end-to-end parts (the container suite, the reliability
// suite, the bench guard, the registry install test, the Node 22/24/26 matrix): `pnpm test` runs those.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["packages/*", "tools/*", "deploy/*", "apps/bench/vitest.config.ts"],
    reporters: ["default"],
    // Most of these tests wait on loopback servers, processes and timers rather than compute: more files in
    // flight than cores shortens the loop (on 2 cores: 83 s with vitest's default of one worker, see README).
    maxWorkers: 4,
  },
});

import { afterAll, beforeAll, expect, test } from "vitest";
import { http2Floor, makeTempDir, startServer, type RunningServer } from "../src/servers.js";
import { callOnce, restScenarios, unaryScenarios } from "../src/unary-scenarios.js";
import path from "node:path";

// The floor answers every scenario the bench loads it with as the scenario's own check expects: its rows
// measure a right answer in each protocol, not an error page.
let server: RunningServer;
let logs: { dir: string; remove: () => void };
beforeAll(async () => {
  logs = makeTempDir("bench-floor-");
  server = await startServer(http2Floor(), { cpus: "", logFile: path.join(logs.dir, "floor.log") });
});
afterAll(async () => {
  await server?.stop();
  logs?.remove();
});

test.each([...unaryScenarios, ...restScenarios].map((scenario) => [scenario.label, scenario] as const))(
  "%s: answered as the scenario checks it",
  async (_label, scenario) => {
    await expect(callOnce(server.port, scenario)).resolves.toBeGreaterThan(0);
  },
);

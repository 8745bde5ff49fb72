// Issue 7's hostile and malformed input table, with the web protocols' cases (from
// @grpc-calculator/reliability, which runs it against the bundle) against the container, through Docker's port publishing: every case gets the proper status or
// connection error, 2 + 3 still answers 5 after each, and the container is still the one that started.
import { hostileCases, runCase, type CaseRun } from "@grpc-calculator/reliability";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { inspectContainer } from "../src/docker.js";
import { recordMetrics } from "../src/report.js";
import { CLOUD_RUN_PORT, type ServerContainer, startServerContainer } from "../src/server-container.js";

const e2e = inject("e2e");

describe.skipIf(e2e.skip)("hostile and malformed input against the container", () => {
  let server: ServerContainer;
  const runs: CaseRun[] = [];

  beforeAll(async () => {
    server = await startServerContainer(e2e.image, e2e.runId);
  });
  afterAll(async () => {
    recordMetrics({
      hostileCasesTried: runs.length,
      hostileCasesPassed: runs.filter((run) => run.passed && run.healthyAfter).length,
    });
    await server?.container.stop({ timeout: 10_000 });
  });

  it.each(hostileCases.map((hostile) => [`${hostile.kind}: ${hostile.name}`, hostile] as const))(
    "%s",
    async (_, hostile) => {
      const run = await runCase({ host: "127.0.0.1", port: server.container.getMappedPort(CLOUD_RUN_PORT) }, hostile);
      runs.push(run);
      expect(run.passed, `${hostile.expected}; observed: ${run.observed}`).toBe(true);
      expect(run.healthyAfter, "2 + 3 = 5 after the case").toBe(true);
    },
  );

  it("is still the same running container (no crash, no restart)", async () => {
    const state = await inspectContainer(server.container.getId());
    expect(state.running).toBe(true);
    expect(runs).toHaveLength(hostileCases.length);
  });
});

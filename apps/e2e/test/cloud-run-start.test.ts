// Starts the image the way Cloud Run does and checks what a platform sees: PORT honoured, readiness by
// gRPC health, a non-root user, a read-only root filesystem, structured logs.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { createCalculatorClient } from "@grpc-calculator/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { docker, inspectContainer, inspectImage } from "../src/docker.js";
import { checkHealth } from "../src/health.js";
import { recordMetrics } from "../src/report.js";
import {
  CLOUD_RUN_PORT,
  CONTAINER_LABEL,
  type ServerContainer,
  startServerContainer,
} from "../src/server-container.js";

const e2e = inject("e2e");

describe.skipIf(e2e.skip)("the container started like Cloud Run starts it", () => {
  let server: ServerContainer;

  beforeAll(async () => {
    server = await startServerContainer(e2e.image, e2e.runId);
    recordMetrics({ startToServingMs: server.startToServingMs });
  });
  afterAll(async () => {
    await server?.container.stop({ timeout: 10_000 });
  });

  it("listens on the injected PORT and answers health SERVING for the server and for Calculator", async () => {
    expect(await checkHealth(server.address, 5_000)).toBe("SERVING");
    expect(await checkHealth(server.address, 5_000, { service: "Calculator" })).toBe("SERVING");
  });

  it("answers its first call on a new connection: 2 + 3 = 5", async () => {
    const calculator = createCalculatorClient(server.address, { tls: false });
    try {
      const started = performance.now();
      const result = await calculator.add(2, 3);
      const firstRpcMs = Math.round((performance.now() - started) * 10) / 10;
      expect(result).toBe(5);
      recordMetrics({ firstRpcMs });
    } finally {
      calculator.close();
    }
  });

  it("runs as a non-root user, from the image's own configuration", async () => {
    const { user } = await inspectImage(e2e.image);
    expect(user).not.toMatch(/^(|0|root)(:|$)/);
    // The server process itself, seen from the host: real, effective, saved and filesystem uid.
    const { pid, running } = await inspectContainer(server.container.getId());
    expect(running).toBe(true);
    const uids = /^Uid:\s+(.*)$/m
      .exec(await readFile(`/proc/${pid}/status`, "utf8"))?.[1]
      ?.split(/\s+/)
      .map(Number);
    expect(uids).toHaveLength(4);
    expect(uids?.every((uid) => uid !== 0)).toBe(true);
  });

  it("has a read-only root filesystem and still serves", async () => {
    const [config] = JSON.parse(await docker(["container", "inspect", server.container.getId()])) as {
      HostConfig: { ReadonlyRootfs: boolean };
    }[];
    expect(config?.HostConfig.ReadonlyRootfs).toBe(true);
    expect(await checkHealth(server.address, 5_000)).toBe("SERVING");
  });

  it("logs one JSON object per line with a severity, and says where it listens", async () => {
    const logs = await docker(["logs", server.container.getId()]);
    const lines = logs.split("\n").filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    const entries = lines.map((line) => JSON.parse(line) as { severity?: unknown; message?: unknown });
    for (const entry of entries) expect(entry.severity).toEqual(expect.any(String));
    expect(entries.some((entry) => String(entry.message).includes(String(CLOUD_RUN_PORT)))).toBe(true);
  });

  it("exits 1 with one clear line when PORT is not a port", async () => {
    const run = promisify(execFile)(
      "docker",
      ["run", "--rm", "--read-only", "--label", `${CONTAINER_LABEL}=${e2e.runId}`, "-e", "PORT=eighty", e2e.image],
      {
        timeout: 30_000,
      },
    );
    const failure = (await run.then(
      () => undefined,
      (error: unknown) => error,
    )) as { code?: number; stderr?: string } | undefined;
    expect(failure?.code).toBe(1);
    const lines = (failure?.stderr ?? "").trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/PORT/);
    expect(lines[0]).toContain("eighty");
  });
});

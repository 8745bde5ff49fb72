// `docker stop` (SIGTERM, as Cloud Run sends before stopping an instance) with calls in flight: they all
// complete, new calls fail, the container exits 0 well within the server's grace period, and every log
// line of the run is structured JSON.
import { type CalculateRequest, CalculatorError, createCalculatorClient } from "@grpc-calculator/client";
import type { StoppedTestContainer } from "testcontainers";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { docker, inspectContainer } from "../src/docker.js";
import { checkHealth, watchWhileServing } from "../src/health.js";
import { recordMetrics } from "../src/report.js";
import { type ServerContainer, startServerContainer } from "../src/server-container.js";

const e2e = inject("e2e");
/** The server's default SHUTDOWN_GRACE_MS (under Cloud Run's 10 s between SIGTERM and SIGKILL). */
const GRACE_MS = 8_000;
const STREAMS = 8;

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe.skipIf(e2e.skip)("graceful shutdown on docker stop", () => {
  let server: ServerContainer;

  beforeAll(async () => {
    server = await startServerContainer(e2e.image, e2e.runId);
  });
  afterAll(async () => {
    if (server) await docker(["rm", "-f", server.container.getId()]).catch(() => undefined);
  });

  it("finishes the calls in flight, refuses new ones, exits 0 within the grace period", async () => {
    const calculator = createCalculatorClient(server.address, { tls: false });
    const gate = deferred();
    // Each stream sends one request, waits for the gate (opened after SIGTERM), then sends two more.
    const streams = Array.from({ length: STREAMS }, (_, i) => {
      const requests = async function* (): AsyncGenerator<CalculateRequest> {
        yield { firstOperand: i, secondOperand: 1, operation: "ADD" };
        await gate.promise;
        yield { firstOperand: i, secondOperand: 2, operation: "MULTIPLY" };
        yield { firstOperand: i, secondOperand: 3, operation: "SUBTRACT" };
      };
      const firstAnswer = deferred();
      const results = (async () => {
        const out: number[] = [];
        for await (const result of calculator.calculateMany(requests())) {
          out.push(result);
          if (out.length === 1) firstAnswer.resolve();
        }
        return out;
      })();
      results.catch(() => firstAnswer.resolve());
      return { firstAnswer: firstAnswer.promise, results };
    });
    await Promise.all(streams.map((stream) => stream.firstAnswer));

    // The server pushes NOT_SERVING on a Health/Watch stream as soon as shutdown begins.
    const watch = await watchWhileServing(server.address, 15_000);
    const stopIssued = Date.now();
    const stopped: Promise<StoppedTestContainer> = server.container.stop({ timeout: 10_000, remove: false });
    const leftServing = await watch.leftServing;
    watch.close();
    expect(leftServing).toBe("NOT_SERVING");
    expect(await checkHealth(server.address, 2_000).catch((error: Error) => error.message)).not.toBe("SERVING");

    // A new call, on a new connection, is not accepted.
    const late = createCalculatorClient(server.address, { tls: false });
    const lateStarted = Date.now();
    const refused = await late.add(2, 3).then(
      () => undefined,
      (error: unknown) => error,
    );
    late.close();
    recordMetrics({ newCallRefusedAfterMs: Date.now() - lateStarted });
    expect(refused).toBeInstanceOf(CalculatorError);
    expect((refused as CalculatorError).codeName).toBe("UNAVAILABLE");

    // The calls in flight complete, every answer right.
    gate.resolve();
    const results = await Promise.all(streams.map((stream) => stream.results));
    const lastCallDone = Date.now();
    expect(results).toEqual(Array.from({ length: STREAMS }, (_, i) => [i + 1, i * 2, i - 3]));
    calculator.close();

    await stopped;
    const state = await inspectContainer(server.container.getId());
    const shutdownMs = state.finishedAt.getTime() - stopIssued;
    const lastCallToExitMs = state.finishedAt.getTime() - lastCallDone;
    recordMetrics({ stopToExitWithCallsInFlightMs: shutdownMs, lastCallToExitMs });
    expect(state.exitCode).toBe(0);
    // The test itself holds the streams open for a while (the refused call above); the server exits as
    // soon as the last one completes, well inside its grace period, and nothing was cancelled.
    expect(shutdownMs).toBeLessThan(GRACE_MS);
    expect(lastCallToExitMs).toBeLessThan(1_000);

    const lines = (await docker(["logs", server.container.getId()])).split("\n").filter(Boolean);
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const entry of entries) expect(entry.severity).toEqual(expect.any(String));
    expect(entries.some((entry) => JSON.stringify(entry).includes("SIGTERM"))).toBe(true);
  });
});

// Shutdown under load: SIGTERM while unary calls run at full load and streams are in flight. Every call the
// server accepted before SIGTERM (a stream that had answered) completes OK with all its results; calls made
// after it fail UNAVAILABLE; nothing else; exit code 0 within the grace period.
import { fileURLToPath } from "node:url";
import { createCalculatorClient, isCalculatorError, Operation } from "@grpc-calculator/client";
import { status } from "@grpc/grpc-js";
import { afterAll, expect, it } from "vitest";
import { address } from "../src/load.js";
import { recordSection } from "../src/report.js";
import { startServerProcess, type ServerProcess } from "../src/server-process.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const GRACE_MS = 4000;
const STREAMS = 8;
const LANES = 64;
let server: ServerProcess | undefined;

afterAll(async () => {
  await server?.stop("SIGKILL");
});

interface UnaryRecord {
  readonly startedAfterSigtermMs: number;
  readonly outcome: string;
}

it("SIGTERM at full load: accepted calls complete OK, later ones fail UNAVAILABLE, exit 0 within the grace period", async () => {
  server = await startServerProcess({ env: { SHUTDOWN_GRACE_MS: String(GRACE_MS) } });
  const client = createCalculatorClient(address(server), { timeoutMs: 5000 });
  let sigtermAt = Number.POSITIVE_INFINITY;
  const sinceSigterm = (): number => Date.now() - sigtermAt;

  // Streams: one request every 20 ms until 500 ms after SIGTERM; each must deliver every result.
  const streamResults = Array.from({ length: STREAMS }, () => ({ sent: 0, received: [] as number[], error: "" }));
  let streamsAnswering = 0;
  let markAnswering: () => void = () => undefined;
  const allAnswering = new Promise<void>((resolve) => (markAnswering = resolve));
  const streams = streamResults.map(async (record) => {
    async function* requests(): AsyncGenerator<{ firstOperand: number; secondOperand: number; operation: Operation }> {
      while (sinceSigterm() < 500 && record.sent < 1000) {
        yield { firstOperand: record.sent, secondOperand: 3, operation: Operation.ADD };
        record.sent++;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    try {
      for await (const result of client.calculateMany(requests())) {
        if (record.received.push(result) === 1 && ++streamsAnswering === STREAMS) markAnswering();
      }
    } catch (error) {
      record.error = isCalculatorError(error) ? `${status[error.code]}: ${error.message}` : String(error);
      markAnswering();
    }
  });

  // Unary load: 64 lanes, each calling back to back until 1.5 s after SIGTERM.
  const unary: UnaryRecord[] = [];
  const FULL_LOAD_CALLS = 2000;
  let markFullLoad: () => void = () => undefined;
  const fullLoad = new Promise<void>((resolve) => (markFullLoad = resolve));
  const record = (entry: UnaryRecord): void => {
    if (unary.push(entry) === FULL_LOAD_CALLS) markFullLoad();
  };
  const lanes = Array.from({ length: LANES }, async (_, lane) => {
    for (let i = 0; sinceSigterm() < 1500 && i < 1_000_000; i++) {
      const startedAfterSigtermMs = sinceSigterm();
      const a = (lane * 1000 + i) % 100_000;
      try {
        const result = await client.add(a, 3);
        record({ startedAfterSigtermMs, outcome: result === a + 3 ? "OK" : `WRONG ${result}` });
      } catch (error) {
        record({
          startedAfterSigtermMs,
          outcome: isCalculatorError(error) ? (status[error.code] ?? String(error.code)) : String(error),
        });
      }
    }
  });

  await allAnswering;
  await fullLoad; // every lane is calling: the streams answer and 2000 unary calls have completed
  sigtermAt = Date.now();
  const exit = server.stop("SIGTERM", GRACE_MS + 5000);
  // While the server drains the streams (they run until 500 ms after SIGTERM), new calls from a new
  // client must be refused with UNAVAILABLE: probe once the server says it is draining (it logs that line
  // as it stops taking connections and calls, in the same turn).
  await server.waitForLine((line) => line.includes("shutting down: NOT_SERVING, draining in-flight calls"));
  const drainingWhenProbed = server.alive();
  const probeClient = createCalculatorClient(address(server), { timeoutMs: 5000 });
  const probes = await Promise.all(
    Array.from({ length: 20 }, () =>
      probeClient.add(2, 3).then(
        (result) => `OK ${result}`,
        (error: unknown) => (isCalculatorError(error) ? (status[error.code] ?? String(error.code)) : String(error)),
      ),
    ),
  );
  probeClient.close();
  await Promise.all([...streams, ...lanes]);
  const { code, signal, ms } = await exit;
  client.close();

  const count = (filter: (r: UnaryRecord) => boolean): number => unary.filter(filter).length;
  const outcomes: Record<string, number> = {};
  for (const r of unary) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  const streamsLost = streamResults.filter(
    (s) => s.error !== "" || s.received.length !== s.sent || s.received.some((v, i) => v !== i + 3),
  );
  const unexpected = unary.filter((r) => r.outcome !== "OK" && r.outcome !== "UNAVAILABLE");
  const lateOk = count((r) => r.startedAfterSigtermMs > 200 && r.outcome === "OK");
  recordSection(root, "shutdown", {
    unaryCalls: unary.length,
    okBeforeSigterm: count((r) => r.startedAfterSigtermMs < 0 && r.outcome === "OK"),
    unavailableBeforeSigterm: count((r) => r.startedAfterSigtermMs < 0 && r.outcome === "UNAVAILABLE"),
    okAfterSigterm: count((r) => r.startedAfterSigtermMs >= 0 && r.outcome === "OK"),
    unavailableAfterSigterm: count((r) => r.startedAfterSigtermMs >= 0 && r.outcome === "UNAVAILABLE"),
    newCallsDuringDrain: probes.length,
    newCallsDuringDrainUnavailable: probes.filter((p) => p === "UNAVAILABLE").length,
    streamsInFlight: STREAMS,
    streamResultsDelivered: streamResults.reduce((n, s) => n + s.received.length, 0),
    exitCode: String(code),
    exitMs: ms,
    graceMs: GRACE_MS,
    crashes: code === 0 ? 0 : 1,
    callsLost: streamsLost.length + unexpected.length,
    statuses: Object.fromEntries(
      Object.entries(outcomes).map(([k, v]) => [k, v + probes.filter((p) => p === k).length]),
    ),
  });

  expect(streamsLost, "every stream accepted before SIGTERM completes with all its results").toEqual([]);
  expect(unexpected.slice(0, 5), "unary calls end OK or UNAVAILABLE, nothing else").toEqual([]);
  expect(lateOk, "calls started > 200 ms after SIGTERM are not served").toBe(0);
  expect(drainingWhenProbed, "the server was still draining when probed").toBe(true);
  expect(probes, "new calls during the drain fail UNAVAILABLE").toEqual(
    Array.from({ length: 20 }, () => "UNAVAILABLE"),
  );
  expect({ code, signal }).toEqual({ code: 0, signal: null });
  expect(ms).toBeLessThan(GRACE_MS + 1000);
}, 60_000);

import { BinaryOperation, Operation } from "@grpc-calculator/proto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { frame, rawCall, verifyCalculate, calculatePath, unaryBody } from "../src/grpc-wire.js";
import { bundleEngineCalculator, handlers, roundOrder, roundRatios } from "../src/handler-pair.js";
import { formatReport } from "../src/report.js";
import { computeTargets, type BenchResults, type HandlerPairResult } from "../src/results.js";
import { engineCalculator, makeTempDir, startServer } from "../src/servers.js";

const load = (throughput: number, cpuUsPerRequest: number) => ({
  throughput,
  cpuUsPerRequest,
  runs: { throughput: [throughput], cpuUsPerRequest: [cpuUsPerRequest] },
});

function run(handlerPair: HandlerPairResult): BenchResults {
  const partial = {
    plan: "handlers",
    command: "pnpm bench --handlers",
    startedAt: "2026-01-01T00:00:00.000Z",
    durationS: 1,
    machine: { cpuModel: "cpu", cores: 2, node: "v20", h2load: "h2load", kernel: "6" },
    pinning: "test",
    servers: {},
    handlerPair,
    notes: [],
  };
  return { ...partial, targets: computeTargets(partial) };
}

const handlerTargets = (r: BenchResults) => r.targets.filter((t) => t.name.includes("async calculate ÷ sync"));

describe("issue 18: an async handler's cost per call against the sync one", () => {
  test("async ÷ sync server CPU per call is held to ≤ 1.15×; throughput is reported", () => {
    const [cpu, throughput] = handlerTargets(
      run({ sync: load(20_000, 40), async: load(19_000, 44), roundCpuRatios: [1.1] }),
    );
    expect(cpu).toMatchObject({ goal: "≤ 1.15×", measured: "1.10× (44 vs 40 µs)", met: true });
    expect(throughput).toMatchObject({ goal: "reported", measured: "0.95× (19000 vs 20000 req/s)", met: undefined });
    const missed = handlerTargets(run({ sync: load(20_000, 40), async: load(16_000, 48), roundCpuRatios: [1.2] }));
    expect(missed[0]).toMatchObject({ measured: "1.20× (48 vs 40 µs)", met: false });
  });

  test("no pair measured, no target", () => {
    const partial: Omit<BenchResults, "targets"> = {
      ...run({ sync: load(1, 1), async: load(1, 1), roundCpuRatios: [] }),
    };
    delete partial.handlerPair;
    expect(handlerTargets({ ...partial, targets: computeTargets(partial) })).toEqual([]);
  });

  test("the report names both servers' numbers and every round's ratio", () => {
    const report = formatReport(
      run({ sync: load(20_000, 40), async: load(19_000, 44), roundCpuRatios: [1.05, 1.1, 1.2] }),
    );
    expect(report).toContain(
      "sync `calculate` 20,000 req/s (40.0 µs CPU each), async (one `await`) 19,000 req/s (44.0 µs)",
    );
    expect(report).toContain("over 3 rounds");
    expect(report).toContain("by round: 1.05×, 1.10×, 1.20×");
    expect(report).toContain(
      "| the engine alone, gRPC unary 16×16, async calculate ÷ sync: server CPU per call | ≤ 1.15× |",
    );
  });

  test("the two servers are loaded in alternating order, and each round's ratio pairs that round's loads", () => {
    expect([0, 1, 2, 3].map((round) => roundOrder(handlers, round).join(" "))).toEqual([
      "sync async",
      "async sync",
      "sync async",
      "async sync",
    ]);
    expect(roundRatios([40, 50, 40], [44, 50, 60])).toEqual([1.1, 1, 1.5]);
  });
});

describe("servers/engine-calculator.ts, bundled as the bench runs it", () => {
  const temp = makeTempDir("bench-engine-calculator-");
  let bundle: string;
  beforeAll(async () => {
    bundle = await bundleEngineCalculator(temp.dir);
  }, 30_000);
  afterAll(() => temp.remove());

  test.each(["sync", "async"] as const)(
    "the %s handler answers 2 + 3 = 5 and a division by zero with INVALID_ARGUMENT",
    async (handler) => {
      const spec = engineCalculator(bundle, handler);
      expect(spec.env).toMatchObject({ CALCULATE_HANDLER: handler, NODE_ENV: "production" });
      expect(spec.env.NODE_OPTIONS).toContain("--max-old-space-size");
      const server = await startServer(spec, { cpus: "", logFile: `${temp.dir}/${handler}.log` });
      try {
        await verifyCalculate(server.port, calculatePath, unaryBody(), 1);
        const divide = frame(
          BinaryOperation.encode({ firstOperand: 1, secondOperand: 0, operation: Operation.DIVIDE }).finish(),
        );
        const answer = await rawCall(server.port, calculatePath, divide, 5_000);
        expect(answer).toMatchObject({ grpcStatus: "3", messages: [] });
        expect(answer.grpcMessage).toMatch(/division by zero/);
      } finally {
        await server.stop();
      }
    },
    30_000,
  );
});

import { describe, expect, test } from "vitest";
import { computeTargets, guardChecks, type BenchResults, type ServerResult } from "../src/results.js";
import { renderChart } from "../src/svg-chart.js";
import { formatReport } from "../src/report.js";

function server(key: string, values: Partial<ServerResult>): ServerResult {
  const base = {
    throughput: 1000,
    cpuUsPerRequest: 80,
    p50Us: 200,
    p99Us: 1000,
    maxUs: 2000,
    firstAnswerMs: 300,
    idleRssMb: 60,
    peakRssMb: 140,
  };
  const merged = { ...base, ...values };
  return {
    key,
    label: key,
    ...merged,
    runs: {
      firstAnswerMs: [merged.firstAnswerMs],
      idleRssMb: [merged.idleRssMb],
      peakRssMb: [merged.peakRssMb],
      throughput: [merged.throughput],
      cpuUsPerRequest: [merged.cpuUsPerRequest],
      p99Us: [merged.p99Us],
    },
  };
}

const load = (throughput: number, cpuUsPerRequest: number) => ({
  throughput,
  cpuUsPerRequest,
  runs: { throughput: [throughput], cpuUsPerRequest: [cpuUsPerRequest] },
});

function run(ours: Partial<ServerResult>, issue12: Partial<BenchResults> = {}): BenchResults {
  const partial = {
    plan: "full",
    command: "pnpm bench",
    startedAt: "2026-01-01T00:00:00.000Z",
    durationS: 1,
    machine: { cpuModel: "cpu", cores: 2, node: "v20", h2load: "h2load", kernel: "6" },
    pinning: "test",
    servers: { ours: server("ours", ours), baseline: server("baseline", {}) },
    streamOpsPerSec: 45_000,
    nodeLoads: {
      sdkUnary: 950,
      rawUnary: 1000,
      sdkStream: 20_000,
      rawStream: 25_000,
      sdkUnaryCpuUs: 110,
      rawUnaryCpuUs: 100,
    },
    notes: [],
    ...issue12,
  };
  return { ...partial, targets: computeTargets(partial) };
}

test("targets are judged in the direction the issue states them", () => {
  const targets = run({
    throughput: 2000,
    cpuUsPerRequest: 40,
    p99Us: 900,
    firstAnswerMs: 140,
    idleRssMb: 69,
    peakRssMb: 90,
  }).targets;
  const met = Object.fromEntries(targets.map((t) => [t.name, t.met]));
  expect(met).toEqual({
    "unary throughput 16×16, ours ÷ grpc-js baseline": true,
    "server CPU per request 16×16, ours ÷ baseline": true,
    "p99 latency 1×1, ours ÷ baseline": true,
    "spawn → first answer, bundle ÷ baseline": true,
    "idle RSS, ours − baseline": true,
    "peak RSS under 16×16, ours ÷ baseline": true,
    "SDK ÷ raw grpc-js client, unary 16×16": true,
    "client CPU per unary call, SDK ÷ raw grpc-js": undefined,
    "CalculateStream ÷ unary ops/s, one server core (h2load)": true,
    "calculateMany ÷ calculate ops/s through the SDK": undefined,
  });
  expect(targets.every((t) => t.met === undefined || t.score >= 1)).toBe(true);
});

test("a server that misses shows as missed, in the table and in red in the chart", () => {
  const results = run({ throughput: 700, firstAnswerMs: 200, idleRssMb: 75, peakRssMb: 120 });
  const missed = results.targets.filter((t) => t.met === false).map((t) => t.name);
  expect(missed).toEqual([
    "unary throughput 16×16, ours ÷ grpc-js baseline",
    "server CPU per request 16×16, ours ÷ baseline",
    "spawn → first answer, bundle ÷ baseline",
    "idle RSS, ours − baseline",
    "peak RSS under 16×16, ours ÷ baseline",
  ]);
  expect(formatReport(results)).toContain(
    "| unary throughput 16×16, ours ÷ grpc-js baseline | ≥ 2× | 0.70× (700 vs 1000 req/s) | **missed** |",
  );
  const svg = renderChart(results);
  expect(svg.match(/fill="#c62828"/g)).toHaveLength(5);
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
});

const routing = (servedBy: string[], protocolRouter = true) => ({
  protocolRouter,
  calls: (["grpc", "connect-json", "grpc-web"] as const).map((scenario, i) => ({
    scenario,
    expectedProtocol: ["grpc", "connect", "grpc-web"][i]!,
    protocol: ["grpc", "connect", "grpc-web"][i],
    servedBy: servedBy[i],
  })),
  allDirect: protocolRouter && servedBy.every((path) => path === "direct"),
});

const protocolRun = (connectJsonOurs: number, grpcWebOurs: number, oursGrpc: number, servedBy: string[]) =>
  run(
    { throughput: oursGrpc },
    {
      servers: {
        ours: server("ours", { throughput: oursGrpc }),
        baseline: server("baseline", {}),
        "connect-node": server("connect-node", { throughput: 400, cpuUsPerRequest: 500 }),
      },
      protocolLoads: {
        ours: { "connect-json": load(connectJsonOurs, 60), "grpc-web": load(grpcWebOurs, 50) },
        "connect-node": { "connect-json": load(1000, 200), "grpc-web": load(500, 400) },
      },
      firstWebCall: {
        ours: {
          firstMs: 60,
          secondMs: 5,
          firstCpuMs: 50,
          secondCpuMs: 2,
          rssBeforeMb: 50,
          rssAfterMb: 60,
          runs: { firstMs: [60], secondMs: [5], firstCpuMs: [50], secondCpuMs: [2] },
        },
      },
      startComparison: {
        against: "/tmp/before.mjs",
        oursMs: 210,
        againstMs: 200,
        oursCpuMs: 150,
        againstCpuMs: 140,
        runs: { oursMs: [210], againstMs: [200], oursCpuMs: [150], againstCpuMs: [140] },
      },
      routing: routing(servedBy),
    },
  ).targets;

test("issue 12: ours against connect-node per protocol, the start against another bundle, the serving path", () => {
  const issue12 = (targets: ReturnType<typeof protocolRun>) =>
    targets.filter((t) => /connect-node|direct path|before|Connect call/.test(t.name));
  const verdicts = (targets: ReturnType<typeof protocolRun>) =>
    Object.fromEntries(issue12(targets).map((t) => [t.name, t.met]));
  expect(verdicts(protocolRun(4000, 4000, 2000, ["direct", "direct", "direct"]))).toEqual({
    "gRPC unary 16×16, ours ÷ connect-node: throughput": true,
    "gRPC unary 16×16, ours ÷ connect-node: CPU per request": undefined,
    "Connect JSON unary 16×16, ours ÷ connect-node: throughput": true,
    "Connect JSON unary 16×16, ours ÷ connect-node: CPU per request": undefined,
    "gRPC-Web unary 16×16, ours ÷ connect-node: throughput": true,
    "gRPC-Web unary 16×16, ours ÷ connect-node: CPU per request": undefined,
    "first Connect call after start ÷ the second, ours (the web code loads then)": undefined,
    "server CPU of the first Connect call after start ÷ the second's, ours": undefined,
    "plain unary calls served by the direct path (start line and call lines, LOG_LEVEL=debug)": true,
    "spawn → first answer, ours ÷ /tmp/before.mjs (start-only pairs)": true,
    "CPU time to the first answer, ours ÷ /tmp/before.mjs (start-only pairs)": undefined,
  });
  const missed = issue12(protocolRun(1400, 700, 1900, ["grpc-js", "direct", "direct"])).filter((t) => t.met === false);
  expect(missed.map((t) => t.name)).toEqual([
    "gRPC unary 16×16, ours ÷ connect-node: throughput",
    "Connect JSON unary 16×16, ours ÷ connect-node: throughput",
    "gRPC-Web unary 16×16, ours ÷ connect-node: throughput",
    "plain unary calls served by the direct path (start line and call lines, LOG_LEVEL=debug)",
  ]);
  expect(missed.at(-1)!.measured).toBe("protocolRouter true; grpc: grpc-js, connect-json: direct, grpc-web: direct");
});

describe("the CI guard (bench:guard): throughput against grpc-js, the direct path against itself turned off", () => {
  // The baseline row: 1000 req/s. The direct path's rounds: on ÷ off CPU per call, round by round.
  const directPath = (roundCpuRatios: number[], on = 40, off = 60) => ({
    on: load(1500, on),
    off: load(1000, off),
    roundCpuRatios,
  });
  const guard = (throughput: number, rounds: number[], on?: number, off?: number) => {
    const checks = guardChecks({ ...run({ throughput }), directPath: directPath(rounds, on, off) });
    return { throughput: checks.throughput.passed, directPath: checks.directPath.passed };
  };

  test.each([
    ["2× the throughput, the path at 0.66× its own cost without it", 2000, [0.62, 0.66, 0.7], true, true],
    ["exactly at both limits (0.8× the throughput, 0.85× the cost)", 800, [0.8, 0.85, 0.9], true, true],
    ["fast enough but the path saves too little (median 0.86×)", 2000, [0.7, 0.86, 0.95], true, false],
    ["one slow round does not fail it (median 0.7×)", 2000, [0.68, 0.7, 1.2], true, true],
    ["the path lost (on costs what off costs)", 1000, [1.0, 1.01, 0.99], true, false],
    ["cheap per call but 0.79× the throughput", 790, [0.66], false, true],
  ])("%s: throughput %s, direct path %s", (_name, tput, rounds, throughput, direct) => {
    expect(guard(tput, rounds)).toEqual({ throughput, directPath: direct });
  });

  test("nothing measured fails both", () => {
    expect(guard(0, [], 0, 0)).toEqual({ throughput: false, directPath: false });
    expect(guardChecks(run({ throughput: 2000 })).directPath.passed).toBe(false);
  });

  test("says what it measured", () => {
    expect(guardChecks({ ...run({}), directPath: directPath([0.9, 0.92], 54, 60) }).directPath).toEqual({
      passed: false,
      measured: "0.91× (54 vs 60 µs)",
    });
  });
});

import { expect, test } from "vitest";
import { computeTargets, type BenchResults, type ServerResult } from "../src/results.js";
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

function run(ours: Partial<ServerResult>): BenchResults {
  const partial = {
    plan: "full",
    command: "pnpm bench",
    startedAt: "2026-01-01T00:00:00.000Z",
    durationS: 1,
    machine: { cpuModel: "cpu", cores: 2, node: "v20", h2load: "h2load", kernel: "6" },
    pinning: "test",
    servers: { ours: server("ours", ours), baseline: server("baseline", {}) },
    streamOpsPerSec: 12_000,
    nodeLoads: {
      sdkUnary: 950,
      rawUnary: 1000,
      sdkStream: 20_000,
      rawStream: 25_000,
      sdkUnaryCpuUs: 110,
      rawUnaryCpuUs: 100,
    },
    notes: [],
  };
  return { ...partial, targets: computeTargets(partial) };
}

test("targets are judged in the direction the issue states them", () => {
  const targets = run({ throughput: 1100, p99Us: 900, firstAnswerMs: 140, idleRssMb: 69, peakRssMb: 90 }).targets;
  const met = Object.fromEntries(targets.map((t) => [t.name, t.met]));
  expect(met).toEqual({
    "unary throughput 16×16, ours ÷ grpc-js baseline": true,
    "server CPU per request 16×16, ours ÷ baseline": undefined,
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
    "spawn → first answer, bundle ÷ baseline",
    "idle RSS, ours − baseline",
    "peak RSS under 16×16, ours ÷ baseline",
  ]);
  expect(formatReport(results)).toContain(
    "| unary throughput 16×16, ours ÷ grpc-js baseline | ≥ 1× | 0.70× (700 vs 1000 req/s) | **missed** |",
  );
  const svg = renderChart(results);
  expect(svg.match(/fill="#c62828"/g)).toHaveLength(4);
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
});

import { expect, test } from "vitest";
import { computeRatios, formatColdStart, summarizeRow, type ColdStartRow } from "../src/cold-start-report.js";

const row = (key: string, runs: number[]): ColdStartRow => ({
  key,
  label: key,
  runtime: "24.0.0",
  ready: "gRPC Calculate (2 + 3 = 5)",
  runs,
  cpuRuns: runs.map((ms) => ms / 2),
});

test("a row's median and range leave out the rounds whose start failed, and count them", () => {
  expect(summarizeRow(row("ours-image-grpc", [200, NaN, 180, 260]))).toEqual({
    medianMs: 200,
    minMs: 180,
    maxMs: 260,
    medianCpuMs: 100,
    failures: 1,
  });
});

test("ratios: of the medians, and within each round; a ratio whose rows were not measured is left out", () => {
  const rows = [
    row("ours-image-grpc", [200, 220, 300]),
    row("python", [100, 100, 200]),
    row("ours-image-health", [210, 220, NaN]),
  ];
  const ratios = computeRatios(rows);
  expect(ratios.map((r) => r.name)).toEqual([
    "ours (gRPC, image Node) ÷ Python tutorial",
    "health SERVING ÷ gRPC Calculate (ours, image Node)",
  ]);
  expect(ratios[0]).toMatchObject({ ratio: 2.2, numeratorMs: 220, denominatorMs: 100 });
  expect(ratios[0]!.perRound).toEqual({ median: 2, min: 1.5, max: 2.2 });
  expect(ratios[1]!.perRound).toEqual({ median: 1.025, min: 1, max: 1.05 });
});

test("the printed table names each row's runtime and first answer, its median, range and CPU", () => {
  const rows = [row("ours-image-grpc", [200, 220, 300]), row("python", [100, 100, 200])];
  const text = formatColdStart({
    command: "pnpm bench:start",
    startedAt: "2026-12-03T00:00:00.000Z",
    durationS: 60,
    machine: { cpuModel: "cpu", cores: 2, node: "v20.0.0", h2load: "h2load", kernel: "6" },
    pinning: "servers on CPU 0",
    rounds: 3,
    startProd: "node dist/start.mjs",
    rows,
    ratios: computeRatios(rows),
    loadAverage: { start: 1, max: 2, end: 1.5 },
    notes: ["something left out"],
  });
  expect(text).toContain(
    "| ours-image-grpc | 24.0.0 | gRPC Calculate (2 + 3 = 5) | **220 ms** | 200–300 ms | 110 ms |",
  );
  expect(text).toContain(
    "| ours (gRPC, image Node) ÷ Python tutorial | **2.20×** (220 vs 100 ms) | 2.00× (1.50–2.20×) |",
  );
  expect(text).toContain("- note: something left out");
});

import { describe, expect, test } from "vitest";
import {
  floorLoads,
  formatFloorReport,
  judgeDirectPath,
  judgeRounds,
  loadKey,
  type FloorRound,
  type FloorServer,
} from "../src/floor-rounds.js";
import type { ScenarioKey } from "../src/unary-scenarios.js";

/** A round where every load serves `reqPerSec` at 1e6 / reqPerSec µs, but for `overrides`. */
function round(overrides: Partial<Record<`${FloorServer} ${ScenarioKey}`, number>>): FloorRound {
  const sample: FloorRound = {};
  for (const { server, scenario } of floorLoads) {
    const key = loadKey(server, scenario.key) as keyof typeof overrides;
    const reqPerSec = overrides[key] ?? 10_000;
    sample[key] = { reqPerSec, cpuUsPerRequest: 1e6 / reqPerSec };
  }
  return sample;
}

describe("the goals judged against the node:http2 floor, round by round", () => {
  // Ours 20k req/s in every protocol; grpc-js 25k, connect-node 5k (JSON) and 2.5k (gRPC-Web); the floor 40k.
  const typical = (floor: number) =>
    round({
      "ours grpc": 20_000,
      "ours connect-json": 20_000,
      "ours grpc-web": 20_000,
      "ours rest-get": 20_000,
      "ours rest-post": 20_000,
      "baseline grpc": 25_000,
      "connect-node connect-json": 5_000,
      "connect-node grpc-web": 2_500,
      "http2-floor grpc": floor,
      "http2-floor connect-json": floor,
      "http2-floor grpc-web": floor,
      "http2-floor rest-get": floor,
      "http2-floor rest-post": floor,
    });

  test("a goal above what the floor serves is out of reach; ratios are medians of the rounds' own", () => {
    const verdicts = judgeRounds([typical(40_000), typical(45_000), typical(35_000)]);
    const byGoal = Object.fromEntries(verdicts.map((v) => [v.goal, v]));
    // 2 × 25k = 50k against 40k (35k, 45k): out of reach; ours 0.8× grpc-js: missed.
    expect(byGoal["gRPC ≥ 2× grpc-js"]).toMatchObject({ met: false, outOfReach: true, issue: 18 });
    expect(byGoal["gRPC ≥ 2× grpc-js"]!.goalOverFloor).toEqual({ median: 1.25, min: 50 / 45, max: 50 / 35 });
    expect(byGoal["gRPC ≥ 2× grpc-js"]!.oursOverFloor.median).toBe(0.5);
    // 4 × 5k = 20k: within the floor; ours is 4× connect-node: met.
    expect(byGoal["Connect JSON ≥ 4× connect-node"]).toMatchObject({ met: true, outOfReach: false });
    expect(byGoal["gRPC-Web ≥ 8× connect-node"]).toMatchObject({ met: true, outOfReach: false });
    expect(byGoal["REST GET ≥ 3× connect-node's Connect JSON"]).toMatchObject({
      met: true,
      outOfReach: false,
      issue: 19,
    });
    // CPU: the floor's 25 µs against the goal's 0.5 × 40 µs = 20 µs: out of reach; ours 50 vs 40 µs: missed.
    const cpu = byGoal["gRPC server CPU per call ≤ 0.5× grpc-js's"]!;
    expect(cpu).toMatchObject({ met: false, outOfReach: true });
    expect(cpu.measured.median).toBeCloseTo(1.25);
    expect(cpu.goalOverFloor.median).toBeCloseTo(1.25);
  });

  test("one slow round does not decide: the median round does", () => {
    const verdicts = judgeRounds([typical(60_000), typical(60_000), typical(30_000)]);
    expect(verdicts.find((v) => v.goal === "gRPC ≥ 2× grpc-js")).toMatchObject({ outOfReach: false });
  });

  test("a round missing a load is refused, not judged on NaN", () => {
    const partial = typical(40_000);
    delete partial[loadKey("http2-floor", "grpc-web")];
    expect(() => judgeRounds([partial])).toThrow(/http2-floor grpc-web/);
  });

  test("the report names each goal, its issue and its verdicts", () => {
    const rounds = [typical(40_000)];
    const report = formatFloorReport(rounds, judgeRounds(rounds), judgeDirectPath(rounds));
    expect(report).toContain(
      "| gRPC ≥ 2× grpc-js (issue 18) | 0.80× (0.80×–0.80×) | **missed** | 1.25× (1.25×–1.25×) | **out of reach** |",
    );
    expect(report).toContain("| http2-floor | REST GET /v1/calculate?… | 40000 | 25.0 µs |");
    expect(report).toContain("on ÷ off 1.00× (1.00×–1.00×); on ÷ grpc-js 2.50× (2.50×–2.50×)");
  });
});

test("the direct path: the same server with it on and off, each against grpc-js, CPU per call by round", () => {
  const measured = judgeDirectPath([
    round({ "ours-direct-on grpc": 25_000, "ours-direct-off grpc": 16_000, "baseline grpc": 25_000 }),
    round({ "ours-direct-on grpc": 20_000, "ours-direct-off grpc": 16_000, "baseline grpc": 20_000 }),
  ]);
  expect(measured.onOverOff).toEqual({ median: (0.64 + 0.8) / 2, min: 0.64, max: 0.8 });
  expect(measured.onOverGrpcJs.median).toBe(1);
  expect(measured.offOverGrpcJs).toEqual({ median: (1.5625 + 1.25) / 2, min: 1.25, max: 1.5625 });
});

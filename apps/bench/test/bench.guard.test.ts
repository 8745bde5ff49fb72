// The CI guard: the quick bench in its own process. It fails when the direct gRPC path is not the one
// serving plain unary calls (the bundle started once with LOG_LEVEL=debug: its start line must say
// `"protocolRouter": true` and the call's line `"servedBy": "direct"`), when ours serves below 0.8× the
// plain grpc-js baseline's unary throughput measured in the same run, or when the direct path saves too little:
// the real server with it on spends more than 0.85× the server CPU per gRPC call of the same server with it
// off, the two loaded in turn (guardLimits in src/results.ts). Not a timed unit test: the numbers come from
// one run on one machine, and only ratios within it are judged.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, expect, test } from "vitest";
import { type BenchResults, guardChecks, guardLimits } from "../src/results.js";

const benchRoot = fileURLToPath(new URL("..", import.meta.url));
let results: BenchResults;

beforeAll(async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "src/main.ts", "--quick"], {
    cwd: benchRoot,
    timeout: 200_000,
  });
  process.stdout.write(stdout);
  results = JSON.parse(readFileSync(`${benchRoot}.results/bench-quick.json`, "utf8")) as BenchResults;
}, 210_000);

test("the protocol router engages and the direct gRPC path serves a plain unary call (LOG_LEVEL=debug lines)", () => {
  const routing = results.routing;
  expect(routing?.protocolRouter, "the start line's protocolRouter").toBe(true);
  const grpc = routing?.calls.find((call) => call.scenario === "grpc");
  expect(grpc, "the gRPC call's log line").toMatchObject({ protocol: "grpc", servedBy: "direct" });
});

test(`ours serves at least ${guardLimits.minThroughputRatio}× the grpc-js baseline's unary throughput (pnpm bench --quick)`, () => {
  const { throughput } = guardChecks(results);
  expect(throughput.passed, `ours ÷ baseline: ${throughput.measured}`).toBe(true);
});

test(`the direct gRPC path costs at most ${guardLimits.maxDirectPathCpuRatio}× the server CPU per call of the same server without it (pnpm bench --quick)`, () => {
  const { directPath } = guardChecks(results);
  expect(directPath.passed, `on ÷ off: ${directPath.measured}`).toBe(true);
});

// What a bench run produces (written as .results/bench.json), and the targets computed from it.
import type { ImageSizes } from "./image-report.js";
import type { Machine } from "./machine.js";
import { ratio } from "./stats.js";

/** Medians over the repetitions, with every repetition's raw value beside them. */
export interface ServerResult {
  key: string;
  label: string;
  firstAnswerMs: number;
  idleRssMb: number;
  peakRssMb: number;
  throughput: number;
  /** Server CPU time per answered request in the 16×16 window, µs. */
  cpuUsPerRequest: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  runs: {
    firstAnswerMs: number[];
    idleRssMb: number[];
    peakRssMb: number[];
    throughput: number[];
    cpuUsPerRequest: number[];
    p99Us: number[];
  };
}

export interface NodeLoadResult {
  sdkUnary: number;
  rawUnary: number;
  sdkStream: number;
  rawStream: number;
  /** The load generator's CPU time per unary call (µs): the client library's own cost. */
  sdkUnaryCpuUs: number;
  rawUnaryCpuUs: number;
}

export interface WorkersResult {
  one: number;
  two: number;
  /** The same with a single connection (16 streams): one worker gets it all. */
  oneSingle: number;
  twoSingle: number;
  connections: number;
  streams: number;
}

export interface BenchResults {
  plan: string;
  command: string;
  startedAt: string;
  durationS: number;
  machine: Machine;
  pinning: string;
  servers: Record<string, ServerResult>;
  unbundledFirstAnswerMs?: number;
  /** Spawn → first answer of baselines/grpc-js-floor.mjs: grpc-js and the generated codec, nothing else. */
  grpcJsFloorFirstAnswerMs?: number;
  /** Operations per second through CalculateStream with h2load (server-bound, same core as unary). */
  streamOpsPerSec?: number;
  nodeLoads?: NodeLoadResult;
  workers?: WorkersResult;
  image?: ImageSizes;
  notes: string[];
  targets: Target[];
}

export interface Target {
  name: string;
  /** The target as the issue states it. */
  goal: string;
  /** The measured value, as text with its unit. */
  measured: string;
  /** The ratio the goal is about (NaN when not measured). */
  ratio: number;
  /** Goal met? undefined when not measured or informational only. */
  met: boolean | undefined;
  /** measured ÷ goal for "≥" goals, goal ÷ measured for "≤" goals: ≥ 1 means met (for the chart). */
  score: number;
}

const fmt = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");

function atLeast(name: string, goal: number, value: number, measured: string): Target {
  const met = Number.isFinite(value) ? value >= goal : undefined;
  return { name, goal: `≥ ${+goal.toFixed(2)}×`, measured, ratio: value, met, score: value / goal };
}

function atMost(name: string, goal: number, value: number, measured: string): Target {
  const met = Number.isFinite(value) ? value <= goal : undefined;
  return { name, goal: `≤ ${+goal.toFixed(2)}×`, measured, ratio: value, met, score: goal / value };
}

/** The targets of issue 6, each with its measured value. */
export function computeTargets(r: Omit<BenchResults, "targets">): Target[] {
  const ours = r.servers.ours;
  const base = r.servers.baseline;
  const python = r.servers.python;
  const targets: Target[] = [];
  const tput = ratio(ours?.throughput, base?.throughput);
  targets.push(
    atLeast(
      "unary throughput 16×16, ours ÷ grpc-js baseline",
      1.0,
      tput,
      `${fmt(tput)}× (${fmt(ours?.throughput ?? NaN, 0)} vs ${fmt(base?.throughput ?? NaN, 0)} req/s)`,
    ),
  );
  const cpu = ratio(ours?.cpuUsPerRequest, base?.cpuUsPerRequest);
  targets.push({
    ...atMost(
      "server CPU per request 16×16, ours ÷ baseline",
      1.0,
      cpu,
      `${fmt(cpu)}× (${fmt(ours?.cpuUsPerRequest ?? NaN, 0)} vs ${fmt(base?.cpuUsPerRequest ?? NaN, 0)} µs)`,
    ),
    goal: "reported",
  });
  if (python) {
    const value = ratio(ours?.throughput, python.throughput);
    targets.push({
      ...atLeast(
        "unary throughput 16×16, ours ÷ Python tutorial",
        1.0,
        value,
        `${fmt(value)}× (${fmt(ours?.throughput ?? NaN, 0)} vs ${fmt(python.throughput, 0)} req/s)`,
      ),
      goal: "reported",
    });
  }
  const p99 = ratio(ours?.p99Us, base?.p99Us);
  targets.push(
    atMost(
      "p99 latency 1×1, ours ÷ baseline",
      1.0,
      p99,
      `${fmt(p99)}× (${fmt((ours?.p99Us ?? NaN) / 1000, 3)} vs ${fmt((base?.p99Us ?? NaN) / 1000, 3)} ms)`,
    ),
  );
  const start = ratio(ours?.firstAnswerMs, base?.firstAnswerMs);
  targets.push(
    atMost(
      "spawn → first answer, bundle ÷ baseline",
      0.5,
      start,
      `${fmt(start)}× (${fmt(ours?.firstAnswerMs ?? NaN, 0)} vs ${fmt(base?.firstAnswerMs ?? NaN, 0)} ms)`,
    ),
  );
  if (r.grpcJsFloorFirstAnswerMs !== undefined) {
    const floor = ratio(r.grpcJsFloorFirstAnswerMs, base?.firstAnswerMs);
    targets.push({
      ...atMost(
        "spawn → first answer, grpc-js + generated codec and nothing else ÷ baseline (the floor on grpc-js)",
        0.5,
        floor,
        `${fmt(floor)}× (${fmt(r.grpcJsFloorFirstAnswerMs, 0)} vs ${fmt(base?.firstAnswerMs ?? NaN, 0)} ms)`,
      ),
      goal: "reported",
    });
  }
  if (python) {
    const value = ratio(ours?.firstAnswerMs, python.firstAnswerMs);
    targets.push(
      atMost(
        "spawn → first answer, bundle ÷ Python tutorial",
        1.0,
        value,
        `${fmt(value)}× (${fmt(ours?.firstAnswerMs ?? NaN, 0)} vs ${fmt(python.firstAnswerMs, 0)} ms)`,
      ),
    );
  }
  const idleExtra = (ours?.idleRssMb ?? NaN) - (base?.idleRssMb ?? NaN);
  targets.push({
    name: "idle RSS, ours − baseline",
    goal: "≤ +10 MB",
    measured: `${idleExtra >= 0 ? "+" : ""}${fmt(idleExtra, 1)} MB (${fmt(ours?.idleRssMb ?? NaN, 1)} vs ${fmt(base?.idleRssMb ?? NaN, 1)} MB)`,
    ratio: ratio(ours?.idleRssMb, base?.idleRssMb),
    met: Number.isFinite(idleExtra) ? idleExtra <= 10 : undefined,
    score: ((base?.idleRssMb ?? NaN) + 10) / (ours?.idleRssMb ?? NaN),
  });
  const peak = ratio(ours?.peakRssMb, base?.peakRssMb);
  targets.push(
    atMost(
      "peak RSS under 16×16, ours ÷ baseline",
      0.7,
      peak,
      `${fmt(peak)}× (${fmt(ours?.peakRssMb ?? NaN, 1)} vs ${fmt(base?.peakRssMb ?? NaN, 1)} MB)`,
    ),
  );
  if (r.nodeLoads) {
    const sdk = ratio(r.nodeLoads.sdkUnary, r.nodeLoads.rawUnary);
    targets.push(
      atLeast(
        "SDK ÷ raw grpc-js client, unary 16×16",
        0.9,
        sdk,
        `${fmt(sdk)}× (${fmt(r.nodeLoads.sdkUnary, 0)} vs ${fmt(r.nodeLoads.rawUnary, 0)} calls/s)`,
      ),
    );
    const clientCpu = ratio(r.nodeLoads.sdkUnaryCpuUs, r.nodeLoads.rawUnaryCpuUs);
    targets.push({
      ...atMost(
        "client CPU per unary call, SDK ÷ raw grpc-js",
        1 / 0.9,
        clientCpu,
        `${fmt(clientCpu)}× (${fmt(r.nodeLoads.sdkUnaryCpuUs, 0)} vs ${fmt(r.nodeLoads.rawUnaryCpuUs, 0)} µs)`,
      ),
      goal: "reported",
    });
  }
  if (r.streamOpsPerSec !== undefined) {
    const stream = ratio(r.streamOpsPerSec, ours?.throughput);
    targets.push(
      atLeast(
        "CalculateStream ÷ unary ops/s, one server core (h2load)",
        10,
        stream,
        `${fmt(stream, 1)}× (${fmt(r.streamOpsPerSec, 0)} vs ${fmt(ours?.throughput ?? NaN, 0)} ops/s)`,
      ),
    );
  }
  if (r.nodeLoads) {
    const value = ratio(r.nodeLoads.sdkStream, r.nodeLoads.sdkUnary);
    targets.push({
      ...atLeast(
        "calculateMany ÷ calculate ops/s through the SDK",
        10,
        value,
        `${fmt(value, 1)}× (${fmt(r.nodeLoads.sdkStream, 0)} vs ${fmt(r.nodeLoads.sdkUnary, 0)} ops/s)`,
      ),
      goal: "reported",
    });
  }
  const uncapped = r.servers["ours-no-old-space-cap"];
  if (uncapped) {
    const value = ratio(uncapped.throughput, base?.throughput);
    targets.push({
      ...atLeast(
        "without the old-space cap: unary throughput ÷ baseline",
        1.0,
        value,
        `${fmt(value)}× (${fmt(uncapped.throughput, 0)} vs ${fmt(base?.throughput ?? NaN, 0)} req/s)`,
      ),
      goal: "reported",
    });
    const peak = ratio(uncapped.peakRssMb, base?.peakRssMb);
    targets.push({
      ...atMost(
        "without the old-space cap: peak RSS ÷ baseline",
        0.7,
        peak,
        `${fmt(peak)}× (${fmt(uncapped.peakRssMb, 1)} vs ${fmt(base?.peakRssMb ?? NaN, 1)} MB)`,
      ),
      goal: "reported",
    });
  }
  if (r.workers) {
    const value = ratio(r.workers.two, r.workers.one);
    targets.push({
      ...atLeast(
        "WORKERS=2 ÷ WORKERS=1, 16 connections",
        1,
        value,
        `${fmt(value)}× (${fmt(r.workers.two, 0)} vs ${fmt(r.workers.one, 0)} req/s)`,
      ),
      goal: "reported",
    });
    const single = ratio(r.workers.twoSingle, r.workers.oneSingle);
    targets.push({
      ...atLeast(
        "WORKERS=2 ÷ WORKERS=1, one connection",
        1,
        single,
        `${fmt(single)}× (${fmt(r.workers.twoSingle, 0)} vs ${fmt(r.workers.oneSingle, 0)} req/s)`,
      ),
      goal: "reported",
    });
  }
  // Informational rows carry no verdict.
  return targets.map((t) => (t.goal === "reported" ? { ...t, met: undefined } : t));
}

// What a bench run produces (written as .results/bench.json), and the issues' targets computed from it
// (issue 6: ours against the grpc-js baseline; issue 12: the same through the protocol router, and ours
// against @connectrpc/connect-node in gRPC, Connect JSON and gRPC-Web; issue 18, the server on the engine:
// ≥ 2× grpc-js's throughput at ≤ 0.5× its CPU per call, ≥ 4× and ≥ 8× connect-node's in Connect JSON and
// gRPC-Web, CalculateStream ≥ 20× unary, an async handler ≤ 1.15× the sync one's CPU per call).
import type { ImageSizes } from "./image-report.js";
import type { Machine } from "./machine.js";
import { describeRouting, type Routing } from "./routing-check.js";
import { median, ratio } from "./stats.js";
import type { ScenarioKey } from "./unary-scenarios.js";

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

/** One web protocol's unary load on one server (16×16, like gRPC's): medians and every repetition's value. */
export interface ProtocolLoadResult {
  throughput: number;
  /** Server CPU time per answered request, µs. */
  cpuUsPerRequest: number;
  runs: { throughput: number[]; cpuUsPerRequest: number[] };
}

/**
 * Issue 18's handler pair (src/handler-pair.ts): the engine alone with a sync and with an async `calculate`,
 * gRPC unary 16×16, both servers running and loaded in turn; medians over every round of every repetition.
 */
export interface HandlerPairResult {
  sync: ProtocolLoadResult;
  async: ProtocolLoadResult;
  /** Each round's async ÷ sync server CPU per request (the two loads of a round ran back to back). */
  roundCpuRatios: number[];
}

/**
 * The real server (servers/direct-path.mjs, unbundled, production NODE_OPTIONS) with its direct gRPC path on
 * and off, both running and loaded in turn (gRPC unary 16×16); medians over every round of every repetition.
 */
export interface DirectPathResult {
  on: ProtocolLoadResult;
  off: ProtocolLoadResult;
  /** Each round's on ÷ off server CPU per request (the two loads of a round ran back to back). */
  roundCpuRatios: number[];
}

/** Two Connect JSON calls right after a fresh server's first ready answer, each on a new connection. */
export interface FirstWebCallResult {
  /** The first web call: for ours, it loads the web protocols' code (transport/web-loader.ts). */
  firstMs: number;
  secondMs: number;
  /** The server's CPU time during each call (noise on a shared machine hardly moves it). */
  firstCpuMs: number;
  secondCpuMs: number;
  /** RSS just before the first call and just after the second. */
  rssBeforeMb: number;
  rssAfterMb: number;
  runs: { firstMs: number[]; secondMs: number[]; firstCpuMs: number[]; secondCpuMs: number[] };
}

/** `--against FILE`: spawn → first answer of ours and of FILE, in start-only pairs spread over the run. */
export interface StartComparison {
  against: string;
  oursMs: number;
  againstMs: number;
  /** CPU time used by the first ready answer: the start's own cost, which competing processes hardly move. */
  oursCpuMs: number;
  againstCpuMs: number;
  runs: { oursMs: number[]; againstMs: number[]; oursCpuMs: number[]; againstCpuMs: number[] };
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
  /** Per server key ("ours", "connect-node"): the web protocols' unary loads; gRPC's are the server's own row. */
  protocolLoads?: Record<string, Partial<Record<ScenarioKey, ProtocolLoadResult>>>;
  /** Per server key: its first Connect calls after start. */
  firstWebCall?: Record<string, FirstWebCallResult>;
  startComparison?: StartComparison;
  handlerPair?: HandlerPairResult;
  directPath?: DirectPathResult;
  /** Which path served each plain unary call of ours (LOG_LEVEL=debug). */
  routing?: Routing;
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
      2,
      tput,
      `${fmt(tput)}× (${fmt(ours?.throughput ?? NaN, 0)} vs ${fmt(base?.throughput ?? NaN, 0)} req/s)`,
    ),
  );
  const cpu = ratio(ours?.cpuUsPerRequest, base?.cpuUsPerRequest);
  targets.push(
    atMost(
      "server CPU per request 16×16, ours ÷ baseline",
      0.5,
      cpu,
      `${fmt(cpu)}× (${fmt(ours?.cpuUsPerRequest ?? NaN, 0)} vs ${fmt(base?.cpuUsPerRequest ?? NaN, 0)} µs)`,
    ),
  );
  targets.push(...protocolTargets(r), ...restTargets(r));
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
        20,
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
  if (r.startComparison) {
    const { oursMs, againstMs, oursCpuMs, againstCpuMs, against } = r.startComparison;
    const value = ratio(oursMs, againstMs);
    targets.push(
      atMost(
        `spawn → first answer, ours ÷ ${against} (start-only pairs)`,
        1.05,
        value,
        `${fmt(value)}× (${fmt(oursMs, 0)} vs ${fmt(againstMs, 0)} ms)`,
      ),
    );
    const cpu = ratio(oursCpuMs, againstCpuMs);
    targets.push({
      ...atMost(
        `CPU time to the first answer, ours ÷ ${against} (start-only pairs)`,
        1.05,
        cpu,
        `${fmt(cpu)}× (${fmt(oursCpuMs, 0)} vs ${fmt(againstCpuMs, 0)} ms)`,
      ),
      goal: "reported",
    });
  }
  targets.push(...handlerTargets(r));
  if (r.directPath) {
    const value = median(r.directPath.roundCpuRatios);
    targets.push({
      ...atMost(
        "the direct gRPC path on ÷ off, server CPU per call (the same server side by side; median of the rounds)",
        guardLimits.maxDirectPathCpuRatio,
        value,
        versus(value, r.directPath.on.cpuUsPerRequest, r.directPath.off.cpuUsPerRequest, "µs"),
      ),
      goal: "reported",
    });
  }
  // Informational rows carry no verdict.
  return targets.map((t) => (t.goal === "reported" ? { ...t, met: undefined } : t));
}

/** Issue 18: what an async handler costs the engine per call, against the sync one. */
function handlerTargets(r: Omit<BenchResults, "targets">): Target[] {
  const pair = r.handlerPair;
  if (!pair) return [];
  const cpu = ratio(pair.async.cpuUsPerRequest, pair.sync.cpuUsPerRequest);
  const tput = ratio(pair.async.throughput, pair.sync.throughput);
  const name = "the engine alone, gRPC unary 16×16, async calculate ÷ sync";
  return [
    atMost(
      `${name}: server CPU per call`,
      1.15,
      cpu,
      versus(cpu, pair.async.cpuUsPerRequest, pair.sync.cpuUsPerRequest, "µs"),
    ),
    {
      ...atLeast(
        `${name}: throughput`,
        1 / 1.15,
        tput,
        versus(tput, pair.async.throughput, pair.sync.throughput, "req/s"),
      ),
      goal: "reported",
    },
  ];
}

/** "1.52× (3000 vs 1970 req/s)". */
const versus = (value: number, a: number | undefined, b: number | undefined, unit: string, digits = 0): string =>
  `${fmt(value)}× (${fmt(a ?? NaN, digits)} vs ${fmt(b ?? NaN, digits)} ${unit})`;

const protocolNames: Record<ScenarioKey, string> = {
  grpc: "gRPC",
  "connect-json": "Connect JSON",
  "grpc-web": "gRPC-Web",
  "rest-get": "REST GET",
  "rest-post": "REST POST",
};

/**
 * Issue 19: the REST routes against ours in Connect JSON (≥ 0.8×: transcoding from the query or the body
 * may cost a little over Connect's JSON body) and against connect-node's Connect JSON (≥ 3×), same run.
 */
function restTargets(r: Omit<BenchResults, "targets">): Target[] {
  const oursJson = r.protocolLoads?.ours?.["connect-json"];
  const nodeJson = r.protocolLoads?.["connect-node"]?.["connect-json"];
  const targets: Target[] = [];
  for (const key of ["rest-get", "rest-post"] as const) {
    const rest = r.protocolLoads?.ours?.[key];
    if (!rest) continue;
    const name = `${protocolNames[key]} unary 16×16, ours`;
    const own = ratio(rest.throughput, oursJson?.throughput);
    const other = ratio(rest.throughput, nodeJson?.throughput);
    targets.push(
      atLeast(
        `${name} ÷ ours in Connect JSON: throughput`,
        0.8,
        own,
        versus(own, rest.throughput, oursJson?.throughput, "req/s"),
      ),
      atLeast(
        `${name} ÷ connect-node in Connect JSON: throughput`,
        3,
        other,
        versus(other, rest.throughput, nodeJson?.throughput, "req/s"),
      ),
    );
  }
  return targets;
}

/** Issue 12: ours against @connectrpc/connect-node per protocol, the first web call, the routing. */
function protocolTargets(r: Omit<BenchResults, "targets">): Target[] {
  const targets: Target[] = [];
  const ours = r.servers.ours;
  const connectNode = r.servers["connect-node"];
  if (connectNode) {
    const goals: [ScenarioKey, number][] = [
      ["grpc", 5],
      ["connect-json", 4],
      ["grpc-web", 8],
    ];
    for (const [key, goal] of goals) {
      const a = key === "grpc" ? ours : r.protocolLoads?.ours?.[key];
      const b = key === "grpc" ? connectNode : r.protocolLoads?.["connect-node"]?.[key];
      const tput = ratio(a?.throughput, b?.throughput);
      const cpu = ratio(a?.cpuUsPerRequest, b?.cpuUsPerRequest);
      const name = `${protocolNames[key]} unary 16×16, ours ÷ connect-node`;
      targets.push(atLeast(`${name}: throughput`, goal, tput, versus(tput, a?.throughput, b?.throughput, "req/s")), {
        ...atMost(`${name}: CPU per request`, 1, cpu, versus(cpu, a?.cpuUsPerRequest, b?.cpuUsPerRequest, "µs")),
        goal: "reported",
      });
    }
  }
  const first = r.firstWebCall?.ours;
  if (first) {
    const value = ratio(first.firstMs, first.secondMs);
    const cpu = ratio(first.firstCpuMs, first.secondCpuMs);
    targets.push(
      {
        ...atMost(
          "first Connect call after start ÷ the second, ours (the web code loads then)",
          1,
          value,
          versus(value, first.firstMs, first.secondMs, "ms", 1),
        ),
        goal: "reported",
      },
      {
        ...atMost(
          "server CPU of the first Connect call after start ÷ the second's, ours",
          1,
          cpu,
          versus(cpu, first.firstCpuMs, first.secondCpuMs, "ms", 1),
        ),
        goal: "reported",
      },
    );
  }
  if (r.routing) {
    const direct = r.routing.calls.filter((call) => call.servedBy === "direct").length / r.routing.calls.length;
    targets.push({
      name: "plain unary calls served by the direct path (start line and call lines, LOG_LEVEL=debug)",
      goal: "all direct",
      measured: describeRouting(r.routing),
      ratio: direct,
      met: r.routing.allDirect,
      score: r.routing.allDirect ? 1 : direct * 0.99,
    });
  }
  return targets;
}

/**
 * What CI's `bench:guard` holds ours to. Ratios of one run on one machine: throughput against the plain
 * grpc-js server measured in the same quick run, and the direct path's CPU per call against the same server
 * with the path off, the two loaded in turn seconds apart. These fail when the fast path is gone or badly
 * slowed, not on the machine's noise.
 */
export const guardLimits = {
  /** Ours ÷ grpc-js, unary gRPC throughput (16×16): fails below. */
  minThroughputRatio: 0.8,
  /**
   * The direct path on ÷ off, server CPU per gRPC call, median of the rounds: fails above. Measured 0.66×
   * (0.62–0.70× in every one of 12 rounds, Node 24) and 0.69× (Node 20, 8 rounds; one round 0.89×). Until
   * 2026-12-04 the guard judged CPU per call against grpc-js's instead (issue 18 asked for ≤ 0.7×): that
   * ratio moved 0.72–0.87× between quick runs on Node 20 with grpc-js cold, 0.84–1.06× with it warm on Node 24
   * (`pnpm bench --floor`), and failed a CI run on that noise alone at a 0.85× limit.
   */
  maxDirectPathCpuRatio: 0.85,
} as const;

export interface GuardCheck {
  readonly passed: boolean;
  /** What was measured, for the failure message: "0.66× (38 vs 58 µs)". */
  readonly measured: string;
}

/** The guard's two checks on a run; a missing or zero measurement fails. */
export function guardChecks(r: Pick<BenchResults, "servers" | "directPath">): {
  throughput: GuardCheck;
  directPath: GuardCheck;
} {
  const ours = r.servers.ours;
  const base = r.servers.baseline;
  const measuredOk = (a: number | undefined, b: number | undefined): boolean =>
    a !== undefined && b !== undefined && a > 0 && b > 0;
  const tput = ratio(ours?.throughput, base?.throughput);
  const on = r.directPath?.on.cpuUsPerRequest;
  const off = r.directPath?.off.cpuUsPerRequest;
  const direct = median(r.directPath?.roundCpuRatios ?? []);
  return {
    throughput: {
      passed: measuredOk(ours?.throughput, base?.throughput) && tput >= guardLimits.minThroughputRatio,
      measured: versus(tput, ours?.throughput, base?.throughput, "req/s"),
    },
    directPath: {
      passed: measuredOk(on, off) && direct <= guardLimits.maxDirectPathCpuRatio,
      measured: versus(direct, on, off, "µs"),
    },
  };
}

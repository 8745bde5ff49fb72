// `pnpm bench --floor`: the throughput goals of issues 18 and 19 against what node:http2 itself serves. Ours, the
// grpc-js baseline, the connect-node baseline and baselines/http2-floor.mjs (a prebuilt answer, nothing
// decoded: no server on node:http2 answers more calls per second on the same core) all run at once on the
// server core, and every (server, protocol) load takes its turn in every round (h2load 16×16, the order
// rotated and reversed round by round, src/turn-order.ts). Servers started one after another and loaded
// minutes apart moved 1.5–2× between repetitions on this machine (ours 34 → 61 µs per gRPC call, the floor
// 44 → 24 µs, in one `--protocols` run); ratios taken within a round, seconds apart, hold still. Each goal
// is judged per round: ours ÷ the other server, and the goal in req/s (the factor × the other server's
// req/s) ÷ the floor's req/s in that protocol: above 1× no server on node:http2 meets it on this machine.
import path from "node:path";
import { cores } from "./cpu-pinning.js";
import { h2loadWithServerCpu, type LoadCost } from "./h2load.js";
import {
  connectNodeBaseline,
  grpcJsBaseline,
  http2Floor,
  oursBundle,
  oursDirectPath,
  snapshotBundle,
  startServer,
  type RunningServer,
  type ServerSpec,
} from "./servers.js";
import { median, ratio } from "./stats.js";
import { table } from "./markdown-table.js";
import { turnOrder } from "./turn-order.js";
import {
  callOnce,
  connectJsonUnary,
  grpcUnary,
  grpcWebUnary,
  restGetUnary,
  restPostUnary,
  type ScenarioKey,
  type UnaryScenario,
} from "./unary-scenarios.js";

export type FloorServer = "ours" | "baseline" | "connect-node" | "http2-floor" | "ours-direct-on" | "ours-direct-off";

/** One load of a round: a server in one protocol. */
export interface FloorLoad {
  server: FloorServer;
  scenario: UnaryScenario;
}

const scenariosOf: Record<FloorServer, readonly UnaryScenario[]> = {
  ours: [grpcUnary, connectJsonUnary, grpcWebUnary, restGetUnary, restPostUnary],
  baseline: [grpcUnary],
  "connect-node": [connectJsonUnary, grpcWebUnary],
  "http2-floor": [grpcUnary, connectJsonUnary, grpcWebUnary, restGetUnary, restPostUnary],
  "ours-direct-on": [grpcUnary],
  "ours-direct-off": [grpcUnary],
};

export const floorLoads: readonly FloorLoad[] = (Object.keys(scenariosOf) as FloorServer[]).flatMap((server) =>
  scenariosOf[server].map((scenario) => ({ server, scenario })),
);

/** `"ours grpc"`: a load's key in a round's samples. */
export const loadKey = (server: FloorServer, scenario: ScenarioKey): string => `${server} ${scenario}`;

/** One round: every load's req/s and server CPU per request, by loadKey. */
export type FloorRound = Record<string, LoadCost>;

/** A throughput goal of issue 18 or 19: ours in `scenario` ≥ `factor` × `other` in its own protocol. */
export interface ThroughputGoal {
  issue: number;
  scenario: ScenarioKey;
  factor: number;
  other: { server: FloorServer; scenario: ScenarioKey };
  /** The goal as the issue states it. */
  text: string;
}

export const throughputGoals: readonly ThroughputGoal[] = [
  {
    issue: 18,
    scenario: "grpc",
    factor: 2,
    other: { server: "baseline", scenario: "grpc" },
    text: "gRPC ≥ 2× grpc-js",
  },
  {
    issue: 18,
    scenario: "connect-json",
    factor: 4,
    other: { server: "connect-node", scenario: "connect-json" },
    text: "Connect JSON ≥ 4× connect-node",
  },
  {
    issue: 18,
    scenario: "grpc-web",
    factor: 8,
    other: { server: "connect-node", scenario: "grpc-web" },
    text: "gRPC-Web ≥ 8× connect-node",
  },
  {
    issue: 19,
    scenario: "rest-get",
    factor: 3,
    other: { server: "connect-node", scenario: "connect-json" },
    text: "REST GET ≥ 3× connect-node's Connect JSON",
  },
  {
    issue: 19,
    scenario: "rest-post",
    factor: 3,
    other: { server: "connect-node", scenario: "connect-json" },
    text: "REST POST ≥ 3× connect-node's Connect JSON",
  },
];

/** Issue 18's CPU goal: ours ≤ 0.5× grpc-js's server CPU per gRPC call. */
export const cpuGoalFactor = 0.5;

/** A ratio's median over the rounds and its range. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

const spread = (values: number[]): Spread => ({
  median: median(values),
  min: Math.min(...values),
  max: Math.max(...values),
});

export interface GoalVerdict {
  goal: string;
  issue: number;
  /** Ours ÷ the other server, round by round. */
  measured: Spread;
  /** The goal in req/s ÷ the floor's req/s in the same protocol, round by round: above 1, out of reach. */
  goalOverFloor: Spread;
  /** Ours ÷ the floor, round by round: the share of the core's HTTP/2 budget ours reaches. */
  oursOverFloor: Spread;
  met: boolean;
  /** Out of reach on node:http2: the goal ÷ the floor above 1× in the median round. */
  outOfReach: boolean;
}

/** `server`'s load in `scenario` in `round`; a round without it is refused, not judged on NaN. */
function costAt(round: FloorRound, server: FloorServer, scenario: ScenarioKey): LoadCost {
  const cost = round[loadKey(server, scenario)];
  if (cost === undefined) throw new Error(`a round has no ${loadKey(server, scenario)} load`);
  return cost;
}

/** `server`'s server CPU per gRPC call in `round`, µs. */
const grpcCpuAt = (round: FloorRound, server: FloorServer): number => costAt(round, server, "grpc").cpuUsPerRequest;

/** Each goal judged round by round (throughput goals, then the CPU goal), from the rounds' samples. */
export function judgeRounds(rounds: readonly FloorRound[]): GoalVerdict[] {
  const per = (f: (round: FloorRound) => number) => spread(rounds.map(f));
  const verdicts = throughputGoals.map((goal): GoalVerdict => {
    const ours = (round: FloorRound) => costAt(round, "ours", goal.scenario).reqPerSec;
    const other = (round: FloorRound) => costAt(round, goal.other.server, goal.other.scenario).reqPerSec;
    const floor = (round: FloorRound) => costAt(round, "http2-floor", goal.scenario).reqPerSec;
    const measured = per((round) => ratio(ours(round), other(round)));
    const goalOverFloor = per((round) => ratio(goal.factor * other(round), floor(round)));
    return {
      goal: goal.text,
      issue: goal.issue,
      measured,
      goalOverFloor,
      oursOverFloor: per((round) => ratio(ours(round), floor(round))),
      met: measured.median >= goal.factor,
      outOfReach: goalOverFloor.median > 1,
    };
  });
  // CPU per call: the goal's µs is 0.5 × grpc-js's; "goal ÷ floor" reads as the floor's µs ÷ the goal's, so
  // that above 1 means out of reach here too.
  const measured = per((round) => ratio(grpcCpuAt(round, "ours"), grpcCpuAt(round, "baseline")));
  const goalOverFloor = per((round) =>
    ratio(grpcCpuAt(round, "http2-floor"), cpuGoalFactor * grpcCpuAt(round, "baseline")),
  );
  verdicts.push({
    goal: `gRPC server CPU per call ≤ ${cpuGoalFactor}× grpc-js's`,
    issue: 18,
    measured,
    goalOverFloor,
    oursOverFloor: per((round) => ratio(grpcCpuAt(round, "ours"), grpcCpuAt(round, "http2-floor"))),
    met: measured.median <= cpuGoalFactor,
    outOfReach: goalOverFloor.median > 1,
  });
  return verdicts;
}

/** What the direct gRPC path saves: the real server with it on and off, against grpc-js, CPU per call. */
export interface DirectPathVerdict {
  onOverOff: Spread;
  onOverGrpcJs: Spread;
  offOverGrpcJs: Spread;
}

export function judgeDirectPath(rounds: readonly FloorRound[]): DirectPathVerdict {
  const per = (a: FloorServer, b: FloorServer) =>
    spread(rounds.map((round) => ratio(grpcCpuAt(round, a), grpcCpuAt(round, b))));
  return {
    onOverOff: per("ours-direct-on", "ours-direct-off"),
    onOverGrpcJs: per("ours-direct-on", "baseline"),
    offOverGrpcJs: per("ours-direct-off", "baseline"),
  };
}

const x = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "n/a");
const spreadText = (s: Spread): string => `${x(s.median)} (${x(s.min)}–${x(s.max)})`;

/** The verdicts and every load's median as Markdown tables. */
export function formatFloorReport(
  rounds: readonly FloorRound[],
  verdicts: readonly GoalVerdict[],
  direct: DirectPathVerdict,
): string {
  const loads = floorLoads.map(({ server, scenario }) => {
    const costs = rounds.map((round) => costAt(round, server, scenario.key));
    return [
      server,
      scenario.label,
      median(costs.map((c) => c.reqPerSec)).toFixed(0),
      `${median(costs.map((c) => c.cpuUsPerRequest)).toFixed(1)} µs`,
    ];
  });
  const goals = verdicts.map((v) => [
    `${v.goal} (issue ${v.issue})`,
    spreadText(v.measured),
    v.met ? "met" : "**missed**",
    spreadText(v.goalOverFloor),
    v.outOfReach ? "**out of reach**" : "within",
    spreadText(v.oursOverFloor),
  ]);
  return [
    table(["server", "load (16×16)", "req/s", "CPU/request"], loads),
    "",
    table(
      [
        "goal",
        "measured (median of rounds, min–max)",
        "",
        "goal ÷ the node:http2 floor (CPU: the floor's ÷ the goal's)",
        "on node:http2",
        "ours ÷ the floor (CPU: ours ÷ the floor's)",
      ],
      goals,
    ),
    "",
    `${rounds.length} rounds of ${floorLoads.length} loads; "out of reach": the goal ÷ the floor above 1× in the median round.`,
    "",
    `The direct gRPC path, server CPU per call (the unbundled server, production NODE_OPTIONS): on ÷ off ` +
      `${spreadText(direct.onOverOff)}; on ÷ grpc-js ${spreadText(direct.onOverGrpcJs)}; off ÷ grpc-js ${spreadText(direct.offOverGrpcJs)}.`,
  ].join("\n");
}

export interface FloorRunOptions {
  rounds: number;
  /** The server bundle to measure (default: packages/server/dist/server.mjs). */
  bundleSource?: string;
  workDir: string;
  log: (line: string) => void;
}

/** Starts the six servers, checks every load's answer once, then loads them in turn for `rounds` rounds. */
export async function runFloorRounds({ rounds, bundleSource, workDir, log }: FloorRunOptions): Promise<FloorRound[]> {
  const bundle = await snapshotBundle(path.join(workDir, "server-snapshot"), bundleSource);
  const specs: Record<FloorServer, ServerSpec> = {
    ours: oursBundle(1, bundle),
    baseline: grpcJsBaseline(),
    "connect-node": connectNodeBaseline(),
    "http2-floor": http2Floor(),
    "ours-direct-on": oursDirectPath("on"),
    "ours-direct-off": oursDirectPath("off"),
  };
  const running = new Map<FloorServer, RunningServer>();
  try {
    for (const [key, spec] of Object.entries(specs) as [FloorServer, ServerSpec][]) {
      const logFile = path.join(workDir, `floor-${spec.key}.log`);
      running.set(key, await startServer(spec, { cpus: cores?.server ?? "", logFile }));
    }
    for (const { server, scenario } of floorLoads) await callOnce(running.get(server)!.port, scenario);
    const loadRound = async (round: number): Promise<FloorRound> => {
      const sample: FloorRound = {};
      for (const { server, scenario } of turnOrder(floorLoads, round)) {
        const target = running.get(server)!;
        sample[loadKey(server, scenario.key)] = await h2loadWithServerCpu(target.pid, {
          port: target.port,
          path: scenario.path,
          headers: scenario.headers,
          body: scenario.body,
          connections: 16,
          streams: 16,
          warmupS: 0.5,
          durationS: 2,
          cpus: cores?.load,
          workDir,
        });
      }
      return sample;
    };
    // One round unrecorded: every server's hot code compiled by V8 before any is judged (a fresh grpc-js or
    // connect-node server got up to 2× faster over its first loads here, ours hardly).
    await loadRound(0);
    const samples: FloorRound[] = [];
    for (let round = 0; round < rounds; round++) {
      const sample = await loadRound(round);
      samples.push(sample);
      const goals = judgeRounds([sample]).map(
        (v) => `${v.goal} ${x(v.measured.median)}, ÷ floor ${x(v.goalOverFloor.median)}`,
      );
      log(`[round ${round + 1}/${rounds}] ${goals.join("; ")}`);
    }
    return samples;
  } finally {
    for (const server of running.values()) await server.stop();
  }
}

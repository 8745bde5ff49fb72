// One bench run: every server started in turn on the server core, loaded from the load core, repeated
// and interleaved (ours, baseline, connect-node, Python, ours, …) so drift on a shared machine hits all of
// them alike.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { cores } from "./cpu-pinning.js";
import { h2load, h2loadWithServerCpu, type H2loadLoad, type LoadCost } from "./h2load.js";
import { bundleEngineCalculator, handlers, roundOrder, roundRatios, type Handler } from "./handler-pair.js";
import { readImageSizes } from "./image-report.js";
import { describeMachine } from "./machine.js";
import { nodeLoad } from "./node-load.js";
import type { Plan } from "./plan.js";
import {
  computeTargets,
  type BenchResults,
  type FirstWebCallResult,
  type NodeLoadResult,
  type ProtocolLoadResult,
  type ServerResult,
} from "./results.js";
import { readMemory, readPreciseCpuMs } from "./process-usage.js";
import { calculatePath, calculateStreamPath, streamBody, unaryBody, verifyCalculate } from "./grpc-wire.js";
import { checkRouting, describeRouting } from "./routing-check.js";
import {
  againstBundle,
  connectNodeBaseline,
  engineCalculator,
  grpcJsBaseline,
  grpcJsFloor,
  makeTempDir,
  oursBundle,
  oursBundleDebug,
  oursBundleWithoutOldSpaceCap,
  oursDirectPath,
  oursUnbundled,
  pythonTutorial,
  pythonUnavailable,
  snapshotBundle,
  startServer,
  type RunningServer,
  type ServerSpec,
} from "./servers.js";
import { median } from "./stats.js";
import {
  callOnce,
  connectJsonUnary,
  grpcWebUnary,
  restScenarios,
  unaryScenarios,
  type ScenarioKey,
} from "./unary-scenarios.js";

export interface RunOptions {
  plan: Plan;
  /** The server bundle to measure (default: packages/server/dist/server.mjs). */
  bundleSource?: string;
  /** Another bundle (e.g. the commit before a change) measured beside ours, its start in pairs with ours'. */
  againstSource?: string;
  command: string;
  /** Where server logs and h2load files go. */
  workDir: string;
  log: (line: string) => void;
}

interface Samples {
  firstAnswerMs: number[];
  idleRssMb: number[];
  peakRssMb: number[];
  throughput: number[];
  cpuUsPerRequest: number[];
  p50Us: number[];
  p99Us: number[];
  maxUs: number[];
}

const emptySamples = (): Samples => ({
  firstAnswerMs: [],
  idleRssMb: [],
  peakRssMb: [],
  throughput: [],
  cpuUsPerRequest: [],
  p50Us: [],
  p99Us: [],
  maxUs: [],
});

/** The first Connect calls' samples of one server, one value per repetition each. */
type FirstWebSamples = Record<
  "firstMs" | "secondMs" | "firstCpuMs" | "secondCpuMs" | "rssBeforeMb" | "rssAfterMb",
  number[]
>;

/** The web protocols measured on the servers that speak them (gRPC is every server's own row). */
const webScenarios = [connectJsonUnary, grpcWebUnary];

export async function runBench({
  plan,
  bundleSource,
  againstSource,
  command,
  workDir,
  log,
}: RunOptions): Promise<BenchResults> {
  const began = Date.now();
  mkdirSync(workDir, { recursive: true });
  const notes: string[] = [];
  const serverCpu = cores?.server;
  const loadCpu = cores?.load;
  const pinning = cores
    ? `server on CPU ${cores.server}, load generators on CPU ${cores.load} (taskset)`
    : "no pinning (taskset missing or a single core)";
  if (!cores) notes.push(`CPU pinning unavailable: ${pinning}`);

  const bundle = await snapshotBundle(path.join(workDir, "server-snapshot"), bundleSource);
  const specs: ServerSpec[] = [oursBundle(1, bundle), grpcJsBaseline()];
  if (plan.connectNode) specs.push(connectNodeBaseline());
  if (againstSource !== undefined) {
    const against = await snapshotBundle(path.join(workDir, "against-snapshot"), againstSource);
    specs.push(againstBundle(against, againstSource));
  }
  if (plan.withoutOldSpaceCap) specs.push(oursBundleWithoutOldSpaceCap(bundle));
  const stubs = makeTempDir("bench-python-stubs-");
  const pythonMissing = plan.python ? pythonUnavailable() : undefined;
  if (pythonMissing) {
    log(`Python tutorial server skipped: ${pythonMissing}`);
    notes.push(`Python tutorial server skipped: ${pythonMissing}`);
  } else if (plan.python) {
    specs.push(pythonTutorial(stubs.dir));
  }

  const samples = new Map(specs.map((s) => [s.key, emptySamples()]));
  const unbundled: number[] = [];
  const floorStart: number[] = [];
  const streamOps: number[] = [];
  const node: Record<keyof NodeLoadResult, number[]> = {
    sdkUnary: [],
    rawUnary: [],
    sdkStream: [],
    rawStream: [],
    sdkUnaryCpuUs: [],
    rawUnaryCpuUs: [],
  };
  const workers = { one: [] as number[], two: [] as number[], oneSingle: [] as number[], twoSingle: [] as number[] };
  const webServers = plan.connectNode ? ["ours", "connect-node"] : [];
  type LoadSamples = { throughput: number[]; cpuUsPerRequest: number[] };
  const protocolLoads = new Map<string, Map<ScenarioKey, LoadSamples>>();
  const firstWeb = new Map<string, FirstWebSamples>();
  const startPairs = {
    oursMs: [] as number[],
    againstMs: [] as number[],
    oursCpuMs: [] as number[],
    againstCpuMs: [] as number[],
  };
  const handlerLoads: Record<Handler, LoadSamples> = {
    sync: { throughput: [], cpuUsPerRequest: [] },
    async: { throughput: [], cpuUsPerRequest: [] },
  };
  const directPaths = ["on", "off"] as const;
  const directPathLoads: Record<(typeof directPaths)[number], LoadSamples> = {
    on: { throughput: [], cpuUsPerRequest: [] },
    off: { throughput: [], cpuUsPerRequest: [] },
  };
  const engineBundle =
    plan.handlerRounds > 0 ? await bundleEngineCalculator(path.join(workDir, "engine-calculator")) : undefined;
  const unary = unaryBody();
  const stream = streamBody(plan.operationsPerStream);
  const load = { warmupS: plan.warmupS, cpus: loadCpu, workDir };
  const throughputLoad = {
    ...load,
    path: calculatePath,
    body: unary,
    connections: plan.connections,
    streams: plan.streams,
    durationS: plan.durationS,
  };

  const start = (spec: ServerSpec, cpus = serverCpu ?? "", nodeArgs: string[] = []): Promise<RunningServer> =>
    startServer(spec, { cpus, nodeArgs, logFile: path.join(workDir, `${spec.key}.log`) });

  /** One h2load run on `server` (16×16 gRPC unless overridden) and the server's CPU time per answered request. */
  const loadWithCpu = (server: RunningServer, overrides: Partial<H2loadLoad> = {}): Promise<LoadCost> =>
    h2loadWithServerCpu(server.pid, { ...throughputLoad, ...overrides, port: server.port });

  // Which path serves each plain unary call (start line and call lines of a LOG_LEVEL=debug start).
  const debugSpec = oursBundleDebug(bundle);
  const routing = await checkRouting(debugSpec, unaryScenarios, {
    cpus: serverCpu ?? "",
    logFile: path.join(workDir, `${debugSpec.key}.log`),
  });
  log(`routing (LOG_LEVEL=debug): ${describeRouting(routing)}`);

  try {
    for (let rep = 1; rep <= plan.repetitions; rep++) {
      for (const spec of specs) {
        const s = samples.get(spec.key)!;
        const server = await start(spec);
        try {
          s.firstAnswerMs.push(server.firstAnswerMs);
          await sleep(plan.settleMs);
          s.idleRssMb.push(readMemory(server.pid).rssMb);
          await verifyCalculate(server.port, calculatePath, unary, 1);
          const latency = await h2load({
            ...load,
            port: server.port,
            path: calculatePath,
            body: unary,
            connections: 1,
            streams: 1,
            durationS: plan.latencyDurationS,
            latencies: true,
          });
          s.p50Us.push(latency.latency!.p50Us);
          s.p99Us.push(latency.latency!.p99Us);
          s.maxUs.push(latency.latency!.maxUs);
          const throughput = await loadWithCpu(server);
          s.throughput.push(throughput.reqPerSec);
          s.cpuUsPerRequest.push(throughput.cpuUsPerRequest);
          s.peakRssMb.push(readMemory(server.pid).peakRssMb);
          log(
            `[${rep}/${plan.repetitions}] ${spec.label}: first answer ${server.firstAnswerMs.toFixed(0)} ms, ` +
              `${throughput.reqPerSec.toFixed(0)} req/s (${s.cpuUsPerRequest.at(-1)!.toFixed(0)} µs CPU each), p99 ${(latency.latency!.p99Us / 1000).toFixed(3)} ms, ` +
              `RSS ${s.idleRssMb.at(-1)!.toFixed(1)} → ${s.peakRssMb.at(-1)!.toFixed(1)} MB`,
          );
          if (webServers.includes(spec.key)) await measureWebProtocols(server, rep);
          if (spec.key === "ours") await measureOursExtras(server);
        } finally {
          await server.stop();
        }
      }
      for (const spec of specs.filter((candidate) => webServers.includes(candidate.key))) {
        await measureFirstWebCall(spec, rep);
      }
      if (againstSource !== undefined) await measureStartPairs(rep);
      if (engineBundle !== undefined) await measureHandlerPair(engineBundle, rep);
      if (plan.directPathRounds > 0) await measureDirectPathPair(rep);
      if (plan.streamAndUnbundled) {
        const esm = await start(oursUnbundled());
        unbundled.push(esm.firstAnswerMs);
        await esm.stop();
        const floor = await start(grpcJsFloor());
        floorStart.push(floor.firstAnswerMs);
        await floor.stop();
      }
      if (plan.workers) await measureWorkers(rep);
    }
  } finally {
    stubs.remove();
  }

  // Connect JSON and gRPC-Web (and on ours REST GET and POST), each checked once and then loaded like gRPC
  // (16×16, CPU per request).
  async function measureWebProtocols(server: RunningServer, rep: number): Promise<void> {
    const loads = protocolLoads.get(server.spec.key) ?? new Map<ScenarioKey, LoadSamples>();
    protocolLoads.set(server.spec.key, loads);
    const line: string[] = [];
    for (const scenario of server.spec.key === "ours" ? [...webScenarios, ...restScenarios] : webScenarios) {
      await callOnce(server.port, scenario);
      const measured = await loadWithCpu(server, {
        path: scenario.path,
        headers: scenario.headers,
        body: scenario.body,
      });
      const samples = loads.get(scenario.key) ?? { throughput: [], cpuUsPerRequest: [] };
      loads.set(scenario.key, samples);
      samples.throughput.push(measured.reqPerSec);
      samples.cpuUsPerRequest.push(measured.cpuUsPerRequest);
      line.push(
        `${scenario.key} ${measured.reqPerSec.toFixed(0)} req/s (${measured.cpuUsPerRequest.toFixed(0)} µs CPU each)`,
      );
    }
    log(`[${rep}/${plan.repetitions}]     ${server.spec.label}: ${line.join(", ")}`);
  }

  // A fresh server, and two Connect JSON calls the moment it first answers ready: for ours the first one
  // loads the web protocols' code (it loads lazily, to keep gRPC-only starts as fast as before).
  async function measureFirstWebCall(spec: ServerSpec, rep: number): Promise<void> {
    const samples: FirstWebSamples = firstWeb.get(spec.key) ?? {
      firstMs: [],
      secondMs: [],
      firstCpuMs: [],
      secondCpuMs: [],
      rssBeforeMb: [],
      rssAfterMb: [],
    };
    firstWeb.set(spec.key, samples);
    const server = await start(spec);
    try {
      samples.rssBeforeMb.push(readMemory(server.pid).rssMb);
      for (const [wall, cpu] of [
        [samples.firstMs, samples.firstCpuMs],
        [samples.secondMs, samples.secondCpuMs],
      ] as const) {
        const cpuBefore = readPreciseCpuMs(server.pid);
        wall.push(await callOnce(server.port, connectJsonUnary));
        cpu.push(readPreciseCpuMs(server.pid) - cpuBefore);
      }
      samples.rssAfterMb.push(readMemory(server.pid).rssMb);
    } finally {
      await server.stop();
    }
    log(
      `[${rep}/${plan.repetitions}] ${spec.label}: first Connect call after start ${samples.firstMs.at(-1)!.toFixed(1)} ms ` +
        `(server CPU ${samples.firstCpuMs.at(-1)!.toFixed(1)} ms), second ${samples.secondMs.at(-1)!.toFixed(1)} ms (${samples.secondCpuMs.at(-1)!.toFixed(1)} ms); RSS ${samples.rssBeforeMb.at(-1)!.toFixed(1)} → ${samples.rssAfterMb.at(-1)!.toFixed(1)} MB`,
    );
  }

  // Spawn → first answer of ours and of the --against bundle, start-only, in pairs whose order alternates.
  async function measureStartPairs(rep: number): Promise<void> {
    const [ours, against] = [specs[0]!, specs.find((spec) => spec.key === "against")!];
    for (let pair = 0; pair < plan.startPairs; pair++) {
      for (const spec of pair % 2 === 0 ? [ours, against] : [against, ours]) {
        const server = await start(spec);
        (spec === ours ? startPairs.oursMs : startPairs.againstMs).push(server.firstAnswerMs);
        (spec === ours ? startPairs.oursCpuMs : startPairs.againstCpuMs).push(server.firstAnswerCpuMs);
        await server.stop();
      }
    }
    const recent = (values: number[]): string =>
      values
        .slice(-plan.startPairs)
        .map((ms) => ms.toFixed(0))
        .join(" ");
    log(
      `[${rep}/${plan.repetitions}] start pairs (ms, wall/CPU): ours ${recent(startPairs.oursMs)} / ${recent(startPairs.oursCpuMs)}; ` +
        `against ${recent(startPairs.againstMs)} / ${recent(startPairs.againstCpuMs)}`,
    );
  }

  // Two servers running at once on the server core, each checked once, then loaded in turn for `rounds`
  // rounds (the order alternating, src/handler-pair.ts): drift on a shared machine hits both alike.
  async function measurePairInTurn<K extends string>(
    pair: readonly [K, K],
    specOf: (key: K) => ServerSpec,
    rounds: number,
    loads: Record<K, LoadSamples>,
  ): Promise<void> {
    const running = new Map<K, RunningServer>();
    try {
      for (const key of pair) {
        const server = await start(specOf(key));
        running.set(key, server);
        await verifyCalculate(server.port, calculatePath, unary, 1);
      }
      for (let round = 0; round < rounds; round++) {
        for (const key of roundOrder(pair, round)) {
          const measured = await loadWithCpu(running.get(key)!);
          loads[key].throughput.push(measured.reqPerSec);
          loads[key].cpuUsPerRequest.push(measured.cpuUsPerRequest);
        }
      }
    } finally {
      for (const server of running.values()) await server.stop();
    }
  }

  /** The last `rounds` loads of `samples`: "23000 req/s (38.1 µs), …". */
  function recentLoads(samples: LoadSamples, rounds: number): string {
    return samples.throughput
      .slice(-rounds)
      .map((value, i) => `${value.toFixed(0)} req/s (${samples.cpuUsPerRequest.at(i - rounds)!.toFixed(1)} µs)`)
      .join(", ");
  }

  // The engine alone with a sync and an async `calculate` (src/handler-pair.ts).
  async function measureHandlerPair(file: string, rep: number): Promise<void> {
    await measurePairInTurn(handlers, (handler) => engineCalculator(file, handler), plan.handlerRounds, handlerLoads);
    log(
      `[${rep}/${plan.repetitions}] the engine alone, sync calculate: ${recentLoads(handlerLoads.sync, plan.handlerRounds)}; ` +
        `async: ${recentLoads(handlerLoads.async, plan.handlerRounds)}`,
    );
  }

  // The real server with its direct gRPC path on and off (servers/direct-path.mjs): what the path saves.
  async function measureDirectPathPair(rep: number): Promise<void> {
    await measurePairInTurn(directPaths, oursDirectPath, plan.directPathRounds, directPathLoads);
    log(
      `[${rep}/${plan.repetitions}] ours (unbundled), direct gRPC path on: ${recentLoads(directPathLoads.on, plan.directPathRounds)}; ` +
        `off: ${recentLoads(directPathLoads.off, plan.directPathRounds)}`,
    );
  }

  async function measureOursExtras(server: RunningServer): Promise<void> {
    if (!plan.streamAndUnbundled) return;
    await verifyCalculate(server.port, calculateStreamPath, stream, plan.operationsPerStream);
    const streamed = await h2load({ ...throughputLoad, port: server.port, path: calculateStreamPath, body: stream });
    streamOps.push(streamed.reqPerSec * plan.operationsPerStream);
    if (!plan.nodeLoads) return;
    const base = { port: server.port, warmupMs: plan.warmupS * 1000, durationMs: plan.durationS * 1000, cpus: loadCpu };
    const unaryLoad = { ...base, mode: "unary" as const, connections: plan.connections, streams: plan.streams };
    const streamLoad = { ...base, mode: "stream" as const, connections: 1, streams: 1 };
    const sdk = await nodeLoad({ ...unaryLoad, client: "sdk" });
    const raw = await nodeLoad({ ...unaryLoad, client: "raw" });
    node.sdkUnary.push(sdk.opsPerSec);
    node.sdkUnaryCpuUs.push(sdk.cpuUsPerOp);
    node.rawUnary.push(raw.opsPerSec);
    node.rawUnaryCpuUs.push(raw.cpuUsPerOp);
    node.sdkStream.push((await nodeLoad({ ...streamLoad, client: "sdk" })).opsPerSec);
    node.rawStream.push((await nodeLoad({ ...streamLoad, client: "raw" })).opsPerSec);
    log(
      `    node load: SDK ${node.sdkUnary.at(-1)!.toFixed(0)} vs raw ${node.rawUnary.at(-1)!.toFixed(0)} calls/s ` +
        `(client CPU ${sdk.cpuUsPerOp.toFixed(0)} vs ${raw.cpuUsPerOp.toFixed(0)} µs/call); ` +
        `calculateMany ${node.sdkStream.at(-1)!.toFixed(0)} vs raw stream ${node.rawStream.at(-1)!.toFixed(0)} ops/s; ` +
        `h2load CalculateStream ${streamOps.at(-1)!.toFixed(0)} ops/s`,
    );
  }

  // WORKERS=2 vs 1: both cores for the server (and, on a 2-core machine, the load generator shares them),
  // with 16 connections and with a single connection (node:cluster hands out connections, not calls).
  async function measureWorkers(rep: number): Promise<void> {
    for (const [count, many, one] of [
      [1, workers.one, workers.oneSingle],
      [2, workers.two, workers.twoSingle],
    ] as const) {
      const server = await start(oursBundle(count, bundle), cores?.all ?? "");
      try {
        many.push((await h2load({ ...throughputLoad, port: server.port, cpus: cores?.all })).reqPerSec);
        one.push((await h2load({ ...throughputLoad, connections: 1, port: server.port, cpus: cores?.all })).reqPerSec);
      } finally {
        await server.stop();
      }
    }
    log(
      `[${rep}/${plan.repetitions}] WORKERS=2 ${workers.two.at(-1)!.toFixed(0)} vs WORKERS=1 ${workers.one.at(-1)!.toFixed(0)} req/s with ` +
        `${plan.connections} connections; ${workers.twoSingle.at(-1)!.toFixed(0)} vs ${workers.oneSingle.at(-1)!.toFixed(0)} req/s with 1 connection`,
    );
  }

  const servers: Record<string, ServerResult> = {};
  for (const spec of specs) {
    const s = samples.get(spec.key)!;
    servers[spec.key] = {
      key: spec.key,
      label: spec.label,
      firstAnswerMs: median(s.firstAnswerMs),
      idleRssMb: median(s.idleRssMb),
      peakRssMb: median(s.peakRssMb),
      throughput: median(s.throughput),
      cpuUsPerRequest: median(s.cpuUsPerRequest),
      p50Us: median(s.p50Us),
      p99Us: median(s.p99Us),
      maxUs: median(s.maxUs),
      runs: {
        firstAnswerMs: s.firstAnswerMs,
        idleRssMb: s.idleRssMb,
        peakRssMb: s.peakRssMb,
        throughput: s.throughput,
        cpuUsPerRequest: s.cpuUsPerRequest,
        p99Us: s.p99Us,
      },
    };
  }
  const partial: Omit<BenchResults, "targets"> = {
    plan: plan.name,
    command,
    startedAt: new Date(began).toISOString(),
    durationS: (Date.now() - began) / 1000,
    machine: describeMachine(),
    pinning,
    servers,
    ...(plan.streamAndUnbundled && {
      unbundledFirstAnswerMs: median(unbundled),
      grpcJsFloorFirstAnswerMs: median(floorStart),
      streamOpsPerSec: median(streamOps),
    }),
    ...(plan.nodeLoads && {
      nodeLoads: {
        sdkUnary: median(node.sdkUnary),
        rawUnary: median(node.rawUnary),
        sdkStream: median(node.sdkStream),
        rawStream: median(node.rawStream),
        sdkUnaryCpuUs: median(node.sdkUnaryCpuUs),
        rawUnaryCpuUs: median(node.rawUnaryCpuUs),
      },
    }),
    ...(plan.workers && {
      workers: {
        one: median(workers.one),
        two: median(workers.two),
        oneSingle: median(workers.oneSingle),
        twoSingle: median(workers.twoSingle),
        connections: plan.connections,
        streams: plan.streams,
      },
    }),
    ...(protocolLoads.size > 0 && {
      protocolLoads: Object.fromEntries(
        [...protocolLoads].map(([key, loads]) => [
          key,
          Object.fromEntries([...loads].map(([scenario, runs]) => [scenario, summarizeLoad(runs)])),
        ]),
      ),
    }),
    ...(firstWeb.size > 0 && {
      firstWebCall: Object.fromEntries([...firstWeb].map(([key, runs]) => [key, summarizeFirstWebCall(runs)])),
    }),
    ...(againstSource !== undefined && {
      startComparison: {
        against: againstSource,
        oursMs: median(startPairs.oursMs),
        againstMs: median(startPairs.againstMs),
        oursCpuMs: median(startPairs.oursCpuMs),
        againstCpuMs: median(startPairs.againstCpuMs),
        runs: startPairs,
      },
    }),
    ...(plan.directPathRounds > 0 && {
      directPath: {
        on: summarizeLoad(directPathLoads.on),
        off: summarizeLoad(directPathLoads.off),
        roundCpuRatios: roundRatios(directPathLoads.off.cpuUsPerRequest, directPathLoads.on.cpuUsPerRequest),
      },
    }),
    ...(engineBundle !== undefined && {
      handlerPair: {
        sync: summarizeLoad(handlerLoads.sync),
        async: summarizeLoad(handlerLoads.async),
        roundCpuRatios: roundRatios(handlerLoads.sync.cpuUsPerRequest, handlerLoads.async.cpuUsPerRequest),
      },
    }),
    routing,
    ...((image) => (image ? { image } : {}))(readImageSizes()),
    notes,
  };
  return { ...partial, targets: computeTargets(partial) };
}

function summarizeLoad(runs: { throughput: number[]; cpuUsPerRequest: number[] }): ProtocolLoadResult {
  return { throughput: median(runs.throughput), cpuUsPerRequest: median(runs.cpuUsPerRequest), runs };
}

function summarizeFirstWebCall(runs: FirstWebSamples): FirstWebCallResult {
  return {
    firstMs: median(runs.firstMs),
    secondMs: median(runs.secondMs),
    firstCpuMs: median(runs.firstCpuMs),
    secondCpuMs: median(runs.secondCpuMs),
    rssBeforeMb: median(runs.rssBeforeMb),
    rssAfterMb: median(runs.rssAfterMb),
    runs: {
      firstMs: runs.firstMs,
      secondMs: runs.secondMs,
      firstCpuMs: runs.firstCpuMs,
      secondCpuMs: runs.secondCpuMs,
    },
  };
}

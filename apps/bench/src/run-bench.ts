// One bench run: every server started in turn on the server core, loaded from the load core, repeated
// and interleaved (ours, baseline, Python, ours, …) so drift on a shared machine hits all of them alike.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { cores } from "./cpu-pinning.js";
import { h2load } from "./h2load.js";
import { readImageSizes } from "./image-report.js";
import { describeMachine } from "./machine.js";
import { nodeLoad } from "./node-load.js";
import type { Plan } from "./plan.js";
import { computeTargets, type BenchResults, type NodeLoadResult, type ServerResult } from "./results.js";
import { readCpuMs, readMemory } from "./process-usage.js";
import { calculatePath, calculateStreamPath, streamBody, unaryBody, verifyCalculate } from "./grpc-wire.js";
import {
  grpcJsBaseline,
  grpcJsFloor,
  makeTempDir,
  oursBundle,
  oursBundleWithoutOldSpaceCap,
  oursUnbundled,
  pythonTutorial,
  pythonUnavailable,
  snapshotBundle,
  startServer,
  type RunningServer,
  type ServerSpec,
} from "./servers.js";
import { median } from "./stats.js";

export interface RunOptions {
  plan: Plan;
  /** The server bundle to measure (default: packages/server/dist/server.mjs). */
  bundleSource?: string;
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

export async function runBench({ plan, bundleSource, command, workDir, log }: RunOptions): Promise<BenchResults> {
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
          // The server's CPU time over h2load's timed window (after its warm-up), per answered request:
          // the cost per call, which other processes on a shared machine disturb far less than req/s.
          const cpuAtWindow = sleep(plan.warmupS * 1000).then(() => readCpuMs(server.pid));
          const throughput = await h2load({ ...throughputLoad, port: server.port });
          const cpuMs = readCpuMs(server.pid) - (await cpuAtWindow);
          s.throughput.push(throughput.reqPerSec);
          s.cpuUsPerRequest.push((cpuMs * 1000) / (throughput.reqPerSec * plan.durationS));
          s.peakRssMb.push(readMemory(server.pid).peakRssMb);
          log(
            `[${rep}/${plan.repetitions}] ${spec.label}: first answer ${server.firstAnswerMs.toFixed(0)} ms, ` +
              `${throughput.reqPerSec.toFixed(0)} req/s (${s.cpuUsPerRequest.at(-1)!.toFixed(0)} µs CPU each), p99 ${(latency.latency!.p99Us / 1000).toFixed(3)} ms, ` +
              `RSS ${s.idleRssMb.at(-1)!.toFixed(1)} → ${s.peakRssMb.at(-1)!.toFixed(1)} MB`,
          );
          if (spec.key === "ours") await measureOursExtras(server);
        } finally {
          await server.stop();
        }
      }
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
    ...((image) => (image ? { image } : {}))(readImageSizes()),
    notes,
  };
  return { ...partial, targets: computeTargets(partial) };
}

// `pnpm bench:start` (root) or `pnpm --filter @grpc-calculator/bench run cold-start [--rounds 20] [--image NAME]
// [--against FILE] [--no-profile]`: issue 20's cold start, measured as users meet it. Spawn → first answer of
//   - ours as `start:prod` runs it (packages/server/package.json's script, parsed and run as sh runs it, src/start-prod.ts):
//     first gRPC Calculate, first health SERVING (Cloud Run's startup probe), first Connect JSON call, each
//     its own start, on the image's Node; and the gRPC start without Node's compile cache, and on the host's Node;
//   - the plain grpc-js server (baselines/server.mjs) on both Nodes, the tutorial's Python server once;
//   - with --against FILE, another build of server.mjs run as the image ran the bundle before start.mjs;
//   - with --image, `docker run` of the image (read-only, PORT injected) → first gRPC answer and first SERVING;
// all in one run, every server on the server core, taking turns in an order that rotates round by round
// (src/turn-order.ts), after one untimed start of each. Then one --cpu-prof start says where ours' time goes.
// Prints the tables, writes .results/cold-start.json.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { findExecutable } from "@grpc-calculator/test-tools";
import { computeRatios, formatColdStart, type ColdStartRow } from "./cold-start-report.js";
import { containerStart } from "./container-start.js";
import { cores, pinSelf } from "./cpu-pinning.js";
import type { Readiness } from "./first-answer.js";
import { describeMachine } from "./machine.js";
import { hostNode, imageNode, onNode, type NodeRuntime } from "./node-runtimes.js";
import {
  againstBundle,
  grpcJsBaseline,
  makeTempDir,
  pythonTutorial,
  pythonUnavailable,
  snapshotBundle,
  startServer,
  systemPython,
  type ServerSpec,
} from "./servers.js";
import { profileStart } from "./start-profile.js";
import { oursStartProd, readStartProd, type StartProd } from "./start-prod.js";
import { turnOrder } from "./turn-order.js";

const benchRoot = fileURLToPath(new URL("..", import.meta.url));

const readyText: Record<Readiness, string> = {
  calculate: "gRPC Calculate (2 + 3 = 5)",
  health: "health Check → SERVING",
  "connect-json": "Connect JSON Calculate → 5",
};

/** One way of starting a server, measured once per round. */
interface Variant {
  row: ColdStartRow;
  /** One start: wall ms to the first answer, CPU ms by then, ms from the container's StartedAt. */
  measure(): Promise<{ ms: number; cpuMs: number; fromStartedMs?: number }>;
}

function processVariant(spec: ServerSpec, runtime: string, logDir: string): Variant {
  const logFile = path.join(logDir, `${spec.key}.log`);
  return {
    row: { key: spec.key, label: spec.label, runtime, ready: readyText[spec.readiness], runs: [], cpuRuns: [] },
    async measure() {
      const server = await startServer(spec, { cpus: cores?.server ?? "", logFile });
      await server.stop();
      return { ms: server.firstAnswerMs, cpuMs: server.firstAnswerCpuMs };
    },
  };
}

function containerVariant(image: string, readiness: Readiness): Variant {
  return {
    row: {
      key: `container-${readiness === "health" ? "health" : "grpc"}`,
      label: `image ${image}: \`docker run --read-only -e PORT\``,
      runtime: "the image's",
      ready: readyText[readiness],
      runs: [],
      cpuRuns: [],
      fromStartedRuns: [],
    },
    async measure() {
      const start = await containerStart(image, { readiness, cpus: cores?.server });
      return { ms: start.fromRunMs, cpuMs: NaN, fromStartedMs: start.fromStartedMs };
    },
  };
}

/** Ours on `node` as start:prod runs it, in each way it is measured there. */
function oursVariants(start: StartProd, node: NodeRuntime, logDir: string): Variant[] {
  const on = `${node.key} Node`;
  const ours = (readiness: Readiness, key: string, label: string, env?: Record<string, string>) =>
    processVariant(
      oursStartProd(start, { node, readiness, key: `ours-${node.key}-${key}`, label, ...(env && { env }) }),
      node.version,
      logDir,
    );
  const variants = [ours("calculate", "grpc", `ours: \`start:prod\` (${on})`)];
  if (node.key === "image") {
    variants.push(
      ours("health", "health", `ours: \`start:prod\` (${on})`),
      ours("connect-json", "connect", `ours: \`start:prod\` (${on})`),
      ours("calculate", "nocache", `ours: \`start:prod\`, NODE_DISABLE_COMPILE_CACHE=1 (${on})`, {
        NODE_DISABLE_COMPILE_CACHE: "1",
      }),
    );
  }
  return variants;
}

function loadAverage(): number {
  return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2).filter((arg) => arg !== "--"); // pnpm passes a separating "--" through
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: "string", default: "20" },
      image: { type: "string" },
      "no-profile": { type: "boolean", default: false },
      against: { type: "string" },
    },
  });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error("--rounds must be a positive integer");
  // The bench's own work (probes, bookkeeping) stays on the load core, off the server's.
  pinSelf(cores?.load);
  const began = performance.now();
  const startedAt = new Date().toISOString();
  const workDir = path.join(benchRoot, ".results", "cold-start-work");
  mkdirSync(workDir, { recursive: true });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const notes: string[] = [];
  const load = { start: loadAverage(), max: loadAverage(), end: NaN };

  const start = readStartProd();
  const nodes = [imageNode(), hostNode()];
  const variants: Variant[] = [];
  for (const node of nodes) {
    variants.push(...oursVariants(start, node, workDir));
    const grpcJs = grpcJsBaseline();
    variants.push(
      processVariant(
        onNode({ ...grpcJs, key: `grpcjs-${node.key}`, label: `grpc-js + proto-loader (${node.key} Node)` }, node),
        node.version,
        workDir,
      ),
    );
  }
  if (values.against !== undefined) {
    // Another build of the bundle (e.g. the commit before a change), run as the image ran a bundle before
    // start.mjs: node, the production variables, the file. A copy, so the run measures one build.
    const [image] = nodes;
    const copy = await snapshotBundle(path.join(workDir, "against"), values.against);
    const spec = againstBundle(copy, values.against);
    variants.push(
      processVariant(
        onNode(
          { ...spec, key: "against-image-grpc", readiness: "calculate", label: `${spec.label} (image Node)` },
          image!,
        ),
        image!.version,
        workDir,
      ),
    );
  }
  const stubs = makeTempDir("cold-start-python-");
  const noPython = pythonUnavailable();
  if (noPython === undefined) {
    const python = pythonTutorial(stubs.dir);
    const version = spawnSync(systemPython, ["--version"], { encoding: "utf8" }).stdout.trim();
    variants.push(processVariant(python, version, workDir));
  } else notes.push(`no Python row: ${noPython}`);
  if (values.image !== undefined) {
    const inspect =
      findExecutable("docker") === undefined
        ? undefined
        : spawnSync("docker", ["image", "inspect", "-f", "{{.Id}} {{.Created}}", values.image], { encoding: "utf8" });
    if (inspect === undefined) notes.push("no image rows: docker is not installed");
    else if (inspect.status !== 0)
      notes.push(`no image rows: ${inspect.stderr.trim() || "docker image inspect failed"}`);
    else {
      const [id = "", created = ""] = inspect.stdout.trim().split(" ");
      notes.push(`image ${values.image}: ${id.replace(/^sha256:/, "").slice(0, 12)}, built ${created}`);
      variants.push(containerVariant(values.image, "calculate"), containerVariant(values.image, "health"));
    }
  } else notes.push("no image rows: give --image NAME (a built server image) to measure `docker run`");

  try {
    // One untimed start of each: the compile cache written, files in the page cache; a variant that cannot
    // start here is reported and left out rather than failing every round.
    log(`cold start: ${variants.length} ways of starting, warm-up then ${rounds} rounds`);
    for (const variant of [...variants]) {
      try {
        const first = await variant.measure();
        log(`  warm-up ${variant.row.key}: ${first.ms.toFixed(0)} ms`);
      } catch (error) {
        notes.push(`${variant.row.key} left out: its warm-up start failed: ${(error as Error).message.split("\n")[0]}`);
        variants.splice(variants.indexOf(variant), 1);
      }
    }
    for (let round = 0; round < rounds; round++) {
      const line: string[] = [];
      for (const variant of turnOrder(variants, round)) {
        try {
          const { ms, cpuMs, fromStartedMs } = await variant.measure();
          variant.row.runs[round] = ms;
          variant.row.cpuRuns[round] = cpuMs;
          if (fromStartedMs !== undefined) variant.row.fromStartedRuns![round] = fromStartedMs;
          line.push(`${variant.row.key} ${ms.toFixed(0)}`);
        } catch (error) {
          variant.row.runs[round] = NaN;
          variant.row.cpuRuns[round] = NaN;
          if (variant.row.fromStartedRuns) variant.row.fromStartedRuns[round] = NaN;
          notes.push(`round ${round + 1}, ${variant.row.key}: ${(error as Error).message.split("\n")[0]}`);
          line.push(`${variant.row.key} failed`);
        }
      }
      load.max = Math.max(load.max, loadAverage());
      log(`[${round + 1}/${rounds}] ${line.join(", ")} (ms; load ${loadAverage().toFixed(2)})`);
    }
  } finally {
    stubs.remove();
  }

  let breakdown;
  if (!values["no-profile"]) {
    const node = nodes.find((candidate) => candidate.key === "image") ?? nodes[0]!;
    log(`profiling one start on Node ${node.version}`);
    try {
      breakdown = await profileStart({ start, node, workDir, cpus: cores?.server ?? "" });
    } catch (error) {
      notes.push(`no breakdown: the profiled start failed: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  load.end = loadAverage();

  const rows = variants.map((variant) => variant.row);
  const results = {
    command: ["pnpm bench:start", ...argv].join(" "),
    startedAt,
    durationS: (performance.now() - began) / 1000,
    machine: describeMachine(),
    pinning: cores
      ? `servers on CPU ${cores.server}, the bench and its probes on CPU ${cores.load} (taskset; containers --cpuset-cpus)`
      : "no CPU pinning (taskset missing or one core)",
    rounds,
    startProd: start.script,
    nodes,
    rows,
    ratios: computeRatios(rows),
    ...(breakdown && { breakdown }),
    loadAverage: load,
    notes,
  };
  process.stdout.write(`\n${formatColdStart(results)}\n`);
  writeFileSync(
    path.join(benchRoot, ".results", "cold-start.json"),
    `${JSON.stringify(results, null, 2)}\n`, // a failed start's NaN is written as null
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`cold-start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

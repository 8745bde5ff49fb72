// The servers under test, and starting/stopping one of them pinned to the server core with its output in
// a log file (a pipe the bench would have to drain would put the bench's CPU into the measurement).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import getPort from "get-port";
import { productionNodeOptions } from "@grpc-calculator/server/production-node-options";
import { waitForFirstAnswer, type Readiness } from "./first-answer.js";
import { pinned } from "./cpu-pinning.js";
import { readPreciseCpuMs } from "./process-usage.js";

const require = createRequire(import.meta.url);
const benchRoot = fileURLToPath(new URL("..", import.meta.url));
export const serverRoot = path.dirname(require.resolve("@grpc-calculator/server/package.json"));
const protoFile = require.resolve("@grpc-calculator/proto/calculator.proto");

/** The Debian interpreter that has grpcio; the `python3` first on PATH may not. */
export const systemPython = "/usr/bin/python3";

export interface ServerSpec {
  /** Short key used in results, e.g. "ours". */
  key: string;
  /** What it is, for the table. */
  label: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  readiness: Readiness;
  cwd: string;
  /** The file the server runs, absolute, when its argument is relative to `cwd` (start:prod's). */
  entry?: string;
}

/** As the image runs ours: its environment, including the Dockerfile's NODE_OPTIONS (V8 heap sizing). */
const production = { LOG_LEVEL: "info", NODE_ENV: "production", NODE_OPTIONS: productionNodeOptions().join(" ") };

/** The production bundle as `pnpm --filter @grpc-calculator/server build` writes it. */
export const builtBundle = path.join(serverRoot, "dist/server.mjs");
const unbundledEntry = path.join(serverRoot, "dist/esm/main.js");

/**
 * Copies the bundle (server.mjs and the telemetry.mjs beside it, which it loads only when telemetry is on;
 * `source` to measure a candidate build instead) into `dir` so the whole run measures one build, even if
 * the server is rebuilt meanwhile. Waits up to `waitMs` for a build in progress to write it.
 */
export async function snapshotBundle(dir: string, source = builtBundle, waitMs = 30_000): Promise<string> {
  await waitForFile(source, waitMs);
  mkdirSync(dir, { recursive: true });
  const copy = path.join(dir, "server.mjs");
  copyFileSync(source, copy);
  const telemetry = path.join(path.dirname(source), "telemetry.mjs");
  if (existsSync(telemetry)) copyFileSync(telemetry, path.join(dir, "telemetry.mjs"));
  return copy;
}

async function waitForFile(file: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline)
      throw new Error(`${file} not found: build the server first (pnpm --filter @grpc-calculator/server build)`);
    await sleep(500);
  }
}

export function oursBundle(workers = 1, bundle = builtBundle): ServerSpec {
  return {
    key: workers === 1 ? "ours" : `ours-workers-${workers}`,
    label: workers === 1 ? "ours (bundle)" : `ours (bundle, WORKERS=${workers})`,
    command: process.execPath,
    args: [bundle],
    env: { ...production, WORKERS: String(workers) },
    readiness: "health",
    cwd: serverRoot,
  };
}

/** Another build of the bundle (`--against FILE`, e.g. the commit before a change), run exactly as ours. */
export function againstBundle(bundle: string, source: string): ServerSpec {
  return { ...oursBundle(1, bundle), key: "against", label: `ours (bundle ${source})` };
}

/** Ours as the bench runs it, with LOG_LEVEL=debug: one log line per call, naming the path that served it. */
export function oursBundleDebug(bundle = builtBundle): ServerSpec {
  const spec = oursBundle(1, bundle);
  return {
    ...spec,
    key: "ours-debug",
    label: "ours (bundle, LOG_LEVEL=debug)",
    env: { ...spec.env, LOG_LEVEL: "debug" },
  };
}

/**
 * The bundle with its production NODE_OPTIONS minus the old-generation cap (`--max-old-space-size`):
 * the other side of the memory/CPU trade-off the image makes (see the Dockerfile's comment).
 */
export function oursBundleWithoutOldSpaceCap(bundle = builtBundle): ServerSpec {
  const flags = productionNodeOptions().filter((flag) => !flag.startsWith("--max-old-space-size"));
  return {
    key: "ours-no-old-space-cap",
    label: "ours (bundle, production NODE_OPTIONS without --max-old-space-size)",
    command: process.execPath,
    args: [bundle],
    env: { ...production, NODE_OPTIONS: flags.join(" "), WORKERS: "1" },
    readiness: "health",
    cwd: serverRoot,
  };
}

export function oursUnbundled(): ServerSpec {
  return {
    key: "ours-unbundled",
    label: "ours (unbundled dist/esm)",
    command: process.execPath,
    args: [unbundledEntry],
    env: { ...production, WORKERS: "1" },
    readiness: "health",
    cwd: serverRoot,
  };
}

/**
 * servers/engine-calculator.ts as src/handler-pair.ts bundles it: the Calculator on the engine alone, its
 * `calculate` sync or async, run with the production NODE_OPTIONS like ours; ready at its first Calculate.
 */
export function engineCalculator(bundle: string, handler: "sync" | "async"): ServerSpec {
  return {
    key: `engine-${handler}`,
    label: `the engine alone, ${handler} calculate`,
    command: process.execPath,
    args: [bundle],
    env: { ...production, CALCULATE_HANDLER: handler },
    readiness: "calculate",
    cwd: benchRoot,
  };
}

/**
 * servers/direct-path.mjs: the real server (unbundled build, production NODE_OPTIONS) with the direct gRPC
 * path on or off, to show what the path saves on otherwise identical code.
 */
export function oursDirectPath(direct: "on" | "off"): ServerSpec {
  return {
    key: `ours-direct-${direct}`,
    label: `ours (unbundled), direct gRPC path ${direct}`,
    command: process.execPath,
    args: [path.join(benchRoot, "servers/direct-path.mjs")],
    env: { ...production, DIRECT_PATH: direct },
    readiness: "health",
    cwd: benchRoot,
  };
}

/** A Node server script in baselines/, ready when it answers a first Calculate. */
function nodeBaseline(key: string, label: string, script: string): ServerSpec {
  return {
    key,
    label,
    command: process.execPath,
    args: [path.join(benchRoot, "baselines", script)],
    env: {},
    readiness: "calculate",
    cwd: benchRoot,
  };
}

export function grpcJsBaseline(): ServerSpec {
  return nodeBaseline("baseline", "grpc-js + proto-loader", "server.mjs");
}

/** @connectrpc/connect-node on node:http2 (h2c), Connect, gRPC and gRPC-Web enabled. */
export function connectNodeBaseline(): ServerSpec {
  return nodeBaseline("connect-node", "@connectrpc/connect-node (h2c)", "connect-node.mjs");
}

/**
 * node:http2 answering every call with a prebuilt answer, nothing decoded: the most calls per second any
 * server on node:http2 can answer on the server core, per protocol (baselines/http2-floor.mjs).
 */
export function http2Floor(): ServerSpec {
  return nodeBaseline("http2-floor", "node:http2, a prebuilt answer (the floor)", "http2-floor.mjs");
}

/** grpc-js and the generated codec with one handler and nothing else: measured for its start only. */
export function grpcJsFloor(): ServerSpec {
  return nodeBaseline("grpc-js-floor", "grpc-js + generated codec, nothing else", "grpc-js-floor.mjs");
}

/** Why the tutorial's Python server cannot run here, or undefined when it can. */
export function pythonUnavailable(): string | undefined {
  const probe = spawnSync(systemPython, ["-c", "import grpc, grpc_tools"], { encoding: "utf8" });
  if (probe.error) return `${systemPython} not found`;
  if (probe.status !== 0)
    return `${systemPython} has no grpcio/grpc_tools (apt-get install python3-grpcio python3-grpc-tools)`;
  return undefined;
}

/** `file` and every file it imports, transitively, that `root` holds (protoc's own well-known types aside). */
function withImports(root: string, file: string, seen = new Set<string>()): string[] {
  if (seen.has(file) || !existsSync(path.join(root, file))) return [];
  seen.add(file);
  const imports = readFileSync(path.join(root, file), "utf8").matchAll(/^import\s+"([^"]+)";/gm);
  return [file, ...[...imports].flatMap(([, imported]) => withImports(root, imported!, seen))];
}

/**
 * Generates the tutorial's stubs from the published .proto, as the tutorial does, into a temp dir; with
 * them the googleapis files it imports (published beside it), which a Python user would otherwise take
 * from googleapis-common-protos.
 */
export function pythonTutorial(stubsDir: string): ServerSpec {
  const protoRoot = path.dirname(protoFile);
  const result = spawnSync(
    systemPython,
    [
      "-m",
      "grpc_tools.protoc",
      `-I${protoRoot}`,
      `--python_out=${stubsDir}`,
      `--grpc_python_out=${stubsDir}`,
      ...withImports(protoRoot, path.basename(protoFile)),
    ],
    { encoding: "utf8" },
  );
  if (result.status !== 0) throw new Error(`grpc_tools.protoc failed: ${result.stderr}`);
  return {
    key: "python",
    label: "Python tutorial (grpcio)",
    command: systemPython,
    args: [path.join(benchRoot, "baselines/server.py")],
    env: { STUBS_DIR: stubsDir },
    readiness: "calculate",
    cwd: benchRoot,
  };
}

export function makeTempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunningServer {
  spec: ServerSpec;
  port: number;
  pid: number;
  /** performance.now() when it was spawned. */
  spawnedAt: number;
  /** Milliseconds from spawn to its first ready answer. */
  firstAnswerMs: number;
  /** CPU time the process had used when it first answered ready, ms (its threads' schedstat). */
  firstAnswerCpuMs: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  cpus: string;
  logFile: string;
  nodeArgs?: string[];
  timeoutMs?: number;
}

/** Spawns `spec` on `cpus`, waits for its first ready answer (that wait is the start-time measurement). */
export async function startServer(spec: ServerSpec, options: StartOptions): Promise<RunningServer> {
  const script = spec.entry ?? spec.args.find((arg) => !arg.startsWith("-"));
  if (script) await waitForFile(script, 30_000); // a server build in progress on a shared checkout
  const port = await getPort({ host: "127.0.0.1" });
  const log = openSync(options.logFile, "w");
  const args = spec.command === process.execPath ? [...(options.nodeArgs ?? []), ...spec.args] : spec.args;
  const [command, commandArgs] = pinned(options.cpus, spec.command, args);
  const spawnedAt = performance.now();
  const child = spawn(command, commandArgs, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));
  child.once("error", () => (exited = true));
  const stop = () => stopChild(child, exit);
  try {
    const firstAnswerMs = await waitForFirstAnswer(
      port,
      spec.readiness,
      spawnedAt,
      options.timeoutMs ?? 15_000,
      () => exited,
    );
    const firstAnswerCpuMs = readPreciseCpuMs(child.pid!);
    return { spec, port, pid: child.pid!, spawnedAt, firstAnswerMs, firstAnswerCpuMs, stop };
  } catch (error) {
    await stop();
    const tail = readFileSync(options.logFile, "utf8").slice(-2_000);
    throw new Error(`${spec.label}: ${(error as Error).message}\n--- ${options.logFile} ---\n${tail}`);
  }
}

/** SIGTERM (the server drains and exits), then SIGKILL if it has not exited within 10 s. */
async function stopChild(child: ChildProcess, exit: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exit;
  clearTimeout(timer);
}

// Runs the Node load generator (src/load-worker.ts) in its own process on the load core.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { pinned } from "./cpu-pinning.js";

const run = promisify(execFile);
const worker = fileURLToPath(new URL("./load-worker.ts", import.meta.url));
const tsxLoader = import.meta.resolve("tsx");

export type LoadClient = "sdk" | "raw";
export type LoadMode = "unary" | "stream";

export interface NodeLoad {
  port: number;
  client: LoadClient;
  mode: LoadMode;
  connections: number;
  streams: number;
  warmupMs: number;
  durationMs: number;
  cpus: string | undefined;
}

export interface NodeLoadMeasurement {
  opsPerSec: number;
  /** The load generator's own CPU time per operation (µs): the client library's cost per call. */
  cpuUsPerOp: number;
}

export async function nodeLoad(load: NodeLoad): Promise<NodeLoadMeasurement> {
  const args = [
    "--import",
    tsxLoader,
    worker,
    "--port",
    String(load.port),
    "--client",
    load.client,
    "--mode",
    load.mode,
    "--connections",
    String(load.connections),
    "--streams",
    String(load.streams),
    "--warmup-ms",
    String(load.warmupMs),
    "--duration-ms",
    String(load.durationMs),
  ];
  const [command, commandArgs] = pinned(load.cpus, process.execPath, args);
  const { stdout } = await run(command, commandArgs, { timeout: load.warmupMs + load.durationMs + 30_000 });
  const { opsPerSec, cpuUsPerOp } = JSON.parse(stdout.trim().split("\n").pop()!) as NodeLoadMeasurement;
  return { opsPerSec, cpuUsPerOp };
}

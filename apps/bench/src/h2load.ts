// h2load (nghttp2) as the load generator: runs one timed measurement against a path with a prebuilt request
// body and headers (gRPC by default; Connect or gRPC-Web), parses its summary, and reads its per-request
// log for latency percentiles.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { pinned } from "./cpu-pinning.js";
import { grpcRequestHeaders } from "./grpc-wire.js";
import { readCpuMs } from "./process-usage.js";
import { percentile } from "./stats.js";
import { requireExecutable } from "@grpc-calculator/test-tools";

const run = promisify(execFile);

export interface H2loadLoad {
  port: number;
  path: string;
  /** The request body, sent with POST; undefined sends GET requests. */
  body: Buffer | undefined;
  /** Request headers (default: a gRPC call's). */
  headers?: Readonly<Record<string, string>>;
  connections: number;
  streams: number;
  warmupS: number;
  durationS: number;
  cpus: string | undefined;
  /** Directory for the body file and the per-request log. */
  workDir: string;
  /** Read the per-request log and compute latency percentiles. */
  latencies?: boolean;
}

export interface H2loadSummary {
  reqPerSec: number;
  succeeded: number;
  failed: number;
}

export interface Latency {
  p50Us: number;
  p99Us: number;
  maxUs: number;
}

export interface H2loadResult extends H2loadSummary {
  latency?: Latency;
}

/** Parses h2load's closing summary; throws when the run had failures. */
export function parseSummary(output: string): H2loadSummary {
  const rate = /finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(output);
  const counts =
    /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(
      output,
    );
  const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(output);
  if (!rate || !counts || !codes) throw new Error(`unexpected h2load output:\n${output.slice(-1_500)}`);
  const failed = Number(counts[5]) + Number(counts[6]) + Number(counts[7]) + Number(codes[3]) + Number(codes[4]);
  return { reqPerSec: Number(rate[1]), succeeded: Number(counts[4]), failed };
}

/** Per-request times (µs) of the successful requests in h2load's --log-file (start µs, status, elapsed µs). */
export function parseLog(log: string): number[] {
  const times: number[] = [];
  for (const line of log.split("\n")) {
    const [, status, elapsed] = line.split("\t");
    if (status === "200" && elapsed) times.push(Number(elapsed));
  }
  return times;
}

export async function h2load(load: H2loadLoad): Promise<H2loadResult> {
  const logFile = path.join(load.workDir, "h2load-requests.tsv");
  let bodyFile: string | undefined;
  if (load.body !== undefined) {
    bodyFile = path.join(load.workDir, `body-${createHash("sha1").update(load.body).digest("hex").slice(0, 12)}.bin`);
    writeFileSync(bodyFile, load.body);
  }
  rmSync(logFile, { force: true }); // h2load appends to an existing log
  const args = [
    "-c",
    String(load.connections),
    "-m",
    String(load.streams),
    "-t",
    "1",
    "-D",
    `${Math.round(load.durationS * 1000)}ms`,
    "--warm-up-time",
    `${Math.round(load.warmupS * 1000)}ms`,
    ...(bodyFile === undefined ? [] : ["-d", bodyFile]),
    ...Object.entries(load.headers ?? grpcRequestHeaders).flatMap(([name, value]) => ["-H", `${name}: ${value}`]),
    ...(load.latencies ? ["--log-file", logFile] : []),
    `http://127.0.0.1:${load.port}${load.path}`,
  ];
  const [command, commandArgs] = pinned(load.cpus, requireExecutable("h2load"), args);
  const timeout = (load.warmupS + load.durationS + 30) * 1_000;
  const { stdout } = await run(command, commandArgs, { timeout, maxBuffer: 16 << 20 });
  const summary = parseSummary(stdout);
  if (summary.failed > 0 || summary.succeeded === 0) {
    throw new Error(`h2load: ${summary.failed} failed, ${summary.succeeded} succeeded against ${load.path}`);
  }
  if (!load.latencies) return summary;
  const times = parseLog(readFileSync(logFile, "utf8")).sort((a, b) => a - b);
  return {
    ...summary,
    latency: { p50Us: percentile(times, 0.5), p99Us: percentile(times, 0.99), maxUs: times[times.length - 1] ?? NaN },
  };
}

/** Requests per second, and the server's CPU time per answered request over h2load's timed window. */
export interface LoadCost {
  reqPerSec: number;
  cpuUsPerRequest: number;
}

/**
 * One h2load run against the server process `pid`, and that process's CPU time over the timed window (after
 * the warm-up) per answered request: the cost per call, which other processes on a shared machine disturb
 * far less than req/s.
 */
export async function h2loadWithServerCpu(pid: number, load: H2loadLoad): Promise<LoadCost> {
  const cpuAtWindow = sleep(load.warmupS * 1000).then(() => readCpuMs(pid));
  const { reqPerSec } = await h2load(load);
  const cpuMs = readCpuMs(pid) - (await cpuAtWindow);
  return { reqPerSec, cpuUsPerRequest: (cpuMs * 1000) / (reqPerSec * load.durationS) };
}

/**
 * Runs the server's production bundle (`node dist/server.mjs`) as a child process on a free loopback port,
 * waits for its startup line and a first correct answer, and reads its RSS and open descriptors from /proc.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Operation } from "@grpc-calculator/proto";
import getPort from "get-port";
import { calculateRaw, connect, type Target } from "./raw-client.js";

/** The bundle `pnpm --filter @grpc-calculator/server build` writes; RELIABILITY_SERVER_BUNDLE overrides it. */
export const defaultBundlePath =
  process.env.RELIABILITY_SERVER_BUNDLE ??
  fileURLToPath(new URL("../node_modules/@grpc-calculator/server/dist/server.mjs", import.meta.url));

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServerProcess extends Target {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Every stdout line so far (JSON logs). */
  readonly logLines: string[];
  /** Resolves with the first stdout line (already seen or to come) that `matches`; rejects if the process exits first. */
  waitForLine(matches: (line: string) => boolean): Promise<string>;
  readonly stderr: string[];
  /** Settles when the process exits. */
  readonly exited: Promise<ExitInfo>;
  /** True while the process runs. */
  alive(): boolean;
  /** Resident set size in bytes (VmRSS). */
  rssBytes(): number;
  /** Open file descriptors. */
  fdCount(): number;
  /**
   * The server's V8 heap in use right after a full garbage collection (needs `inspect: true`): memory the
   * server really retains, free of the GC-timing swings that single RSS readings show.
   */
  heapUsedAfterGc(): Promise<number>;
  /** Waits (bounded) until the open descriptors are back to `target` or fewer; returns the count. */
  settleFds(target: number, timeoutMs?: number): Promise<number>;
  /** Sends `signal` and waits for the exit (SIGKILL after `timeoutMs`). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ExitInfo & { readonly ms: number }>;
}

export interface StartOptions {
  readonly bundlePath?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly startupTimeoutMs?: number;
  /** Start with the inspector on a loopback port (for `heapUsedAfterGc`). */
  readonly inspect?: boolean;
}

// Runs in a helper process (Node 20's WebSocket needs a flag): asks the inspector for a full GC and, once it
// has answered, for heapUsed. V8 runs collectGarbage as a posted task: an evaluate sent in the same breath can
// run before the GC and read the garbage too (seen: 9.5 MB read where 7.3 MB was retained).
const gcProbeScript = `
const ws = new WebSocket(process.argv[1]);
const send = (id, method, params) => ws.send(JSON.stringify({ id, method, params }));
ws.onopen = () => send(1, "HeapProfiler.collectGarbage");
ws.onmessage = (event) => {
  const message = JSON.parse(event.data);
  if (message.id === 1) send(2, "Runtime.evaluate", { expression: "process.memoryUsage().heapUsed", returnByValue: true });
  if (message.id === 2) { console.log(message.result.result.value); ws.close(); }
};
ws.onerror = () => process.exit(1);
setTimeout(() => process.exit(2), 10000).unref();
`;

const execFileAsync = promisify(execFile);

export function readRssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match?.[1] === undefined ? Number.NaN : Number(match[1]) * 1024;
}

export function readFdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Starts the bundle and resolves once it logged its startup line and answered 2 + 3 = 5. */
export async function startServerProcess(options: StartOptions = {}): Promise<ServerProcess> {
  const host = "127.0.0.1";
  const port = await getPort({ host });
  const inspectArgs = options.inspect === true ? ["--inspect=127.0.0.1:0"] : [];
  const child = spawn(process.execPath, [...inspectArgs, options.bundlePath ?? defaultBundlePath], {
    env: { PATH: process.env.PATH ?? "", HOST: host, PORT: String(port), LOG_LEVEL: "info", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logLines: string[] = [];
  const stderr: string[] = [];
  let partial = "";
  const lineWaiters = new Set<() => void>();
  child.stdout.setEncoding("utf8").on("data", (text: string) => {
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    logLines.push(...lines.filter((l) => l.length > 0));
    for (const wake of lineWaiters) wake();
  });
  child.stderr.setEncoding("utf8").on("data", (text: string) => stderr.push(text));
  let running = true;
  const exited = new Promise<ExitInfo>((resolve) =>
    child.once("exit", (code, signal) => {
      running = false;
      for (const wake of lineWaiters) wake();
      resolve({ code, signal });
    }),
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn ${options.bundlePath ?? defaultBundlePath}`);

  const deadline = Date.now() + (options.startupTimeoutMs ?? 10_000);
  const listening = (): boolean => logLines.some((l) => l.includes(String(port)));
  while (!listening()) {
    if (!running || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`server did not start on ${host}:${port}:\n${logLines.join("\n")}\n${stderr.join("")}`);
    }
    await new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        lineWaiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, 100);
      lineWaiters.add(wake);
    });
  }
  const server: ServerProcess = {
    host,
    port,
    pid,
    child,
    logLines,
    waitForLine(matches) {
      return new Promise<string>((resolve, reject) => {
        const check = (): void => {
          const line = logLines.find(matches);
          if (line === undefined && running) return;
          lineWaiters.delete(check);
          if (line === undefined)
            reject(new Error(`the server exited before the expected line:\n${logLines.join("\n")}`));
          else resolve(line);
        };
        lineWaiters.add(check);
        check();
      });
    },
    stderr,
    exited,
    alive: () => running,
    rssBytes: () => readRssBytes(pid),
    fdCount: () => readFdCount(pid),
    async heapUsedAfterGc() {
      const url = /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(stderr.join(""))?.[0];
      if (url === undefined) throw new Error("the server was not started with inspect: true");
      const { stdout } = await execFileAsync(
        process.execPath,
        ["--experimental-websocket", "--no-warnings", "-e", gcProbeScript, url],
        {
          timeout: 15_000,
        },
      );
      return Number(stdout.trim());
    },
    async settleFds(target, timeoutMs = 10_000) {
      // The server closes a dropped connection's socket asynchronously; poll (bounded): there is no event to wait on.
      const deadline = Date.now() + timeoutMs;
      while (running && readFdCount(pid) > target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      return running ? readFdCount(pid) : Number.NaN;
    },
    async stop(signal = "SIGTERM", timeoutMs = 15_000) {
      const started = Date.now();
      if (running) child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const info = await exited;
      clearTimeout(timer);
      return { ...info, ms: Date.now() - started };
    },
  };
  const session = await connect(server);
  try {
    const answer = await calculateRaw(session, 2, 3, Operation.ADD);
    if (answer !== 5) throw new Error(`server started but 2 + 3 answered ${JSON.stringify(answer)}`);
  } finally {
    session.destroy();
  }
  return server;
}

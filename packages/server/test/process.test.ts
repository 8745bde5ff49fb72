// The CLI entry as Cloud Run runs it: a child process configured by the environment.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { credentials, Metadata, status } from "@grpc/grpc-js";
import { CalculatorClient, Operation, type CalculationResult } from "@grpc-calculator/proto";
import { afterEach, describe, expect, it } from "vitest";
import { productionNodeOptions } from "../scripts/production-node-options.mjs";
import { ServingStatus } from "../src/index.js";
import {
  calculateOnce,
  calculatorClient,
  healthStatus,
  listeningPort,
  rejection,
  spawnServer,
  startTestServer,
  type ChildServer,
  writeTestCertificate,
} from "./helpers.js";

const bundle = fileURLToPath(new URL("../dist/server.mjs", import.meta.url));
const unbundled = fileURLToPath(new URL("../dist/esm/main.js", import.meta.url));
const running: ChildServer[] = [];

function start(env: Record<string, string> = {}, entry = bundle, cwd?: string): ChildServer {
  const server = spawnServer(entry, env, cwd);
  running.push(server);
  return server;
}

afterEach(() => {
  for (const server of running.splice(0)) server.child.kill("SIGKILL");
});

describe("configuration errors", () => {
  it.each(["abc", "65536", "-5", "8080x"])("PORT=%s exits 1 with one clear line", async (port) => {
    const { code, stderr } = await start({ PORT: port }).exited;
    expect(code).toBe(1);
    expect(stderr).toBe(
      `grpc-calculator-server: invalid PORT ${JSON.stringify(port)}: expected an integer from 0 to 65535\n`,
    );
  });

  it("a TLS certificate that cannot be read exits 1 naming it", async () => {
    const { code, stderr } = await start({
      TLS_CERT_FILE: "/nonexistent/cert.pem",
      TLS_KEY_FILE: "/nonexistent/key.pem",
    }).exited;
    expect(code).toBe(1);
    expect(stderr).toMatch(/^grpc-calculator-server: cannot start: .*\/nonexistent\/cert\.pem/);
  });
});

describe("start failures", () => {
  it("a port already in use exits 1 saying so", async () => {
    const holder = await startTestServer();
    try {
      const { code, stderr } = await start({ PORT: String(holder.port) }).exited;
      expect(code).toBe(1);
      expect(stderr).toMatch(/^grpc-calculator-server: cannot start: .*EADDRINUSE/);
    } finally {
      await holder.shutdown();
    }
  });
});

describe("the bundle", () => {
  it("starts from a directory with no node_modules (nor telemetry.mjs) with the image's NODE_OPTIONS, answers, and stops on SIGTERM with exit 0", async () => {
    const nodeOptions = productionNodeOptions();
    expect(nodeOptions).toContainEqual(expect.stringMatching(/^--max-semi-space-size=\d+$/));
    const dir = mkdtempSync(join(tmpdir(), "grpc-calculator-bundle-"));
    try {
      copyFileSync(bundle, join(dir, "server.mjs"));
      // Without telemetry.mjs: with OpenTelemetry off (no OTEL_* variables), nothing loads it.
      // As the image runs it: Node refuses to start on a flag that NODE_OPTIONS does not allow.
      const server = start({ NODE_OPTIONS: nodeOptions.join(" ") }, join(dir, "server.mjs"), dir);
      const port = await listeningPort(server);
      const client = calculatorClient(port);
      await expect(
        calculateOnce(client, { firstOperand: 2, secondOperand: 3, operation: Operation.ADD }),
      ).resolves.toBe(5);
      await expect(healthStatus(port, "Calculator")).resolves.toBe(ServingStatus.SERVING);
      client.close();
      server.child.kill("SIGTERM");
      await expect(server.exited).resolves.toMatchObject({ code: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the unbundled build (dist/esm/main.js) serves too, and SIGINT stops it with exit 0", async () => {
    const server = start({}, unbundled);
    const port = await listeningPort(server);
    const client = calculatorClient(port);
    await expect(
      calculateOnce(client, { firstOperand: 6, secondOperand: 3, operation: Operation.DIVIDE }),
    ).resolves.toBe(2);
    client.close();
    server.child.kill("SIGINT");
    await expect(server.exited).resolves.toMatchObject({ code: 0 });
  });
});

describe("TLS", () => {
  it("serves TLS from TLS_CERT_FILE and TLS_KEY_FILE", async () => {
    const dir = mkdtempSync(join(tmpdir(), "grpc-calculator-tls-"));
    try {
      const { cert, key } = writeTestCertificate(dir);
      const server = start({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key });
      const line = await server.waitForLine((candidate) => String(candidate.message).startsWith("listening"));
      expect(line.tls).toBe(true);
      const client = new CalculatorClient(
        `localhost:${line.port as number}`,
        credentials.createSsl(readFileSync(cert)),
      );
      await expect(calculateOnce(client, { firstOperand: 2, secondOperand: 3 })).resolves.toBe(5);
      client.close();
      server.child.kill("SIGTERM");
      await expect(server.exited).resolves.toMatchObject({ code: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("graceful shutdown", () => {
  it("a call in flight when SIGTERM arrives completes; new calls are refused; exit 0", async () => {
    const server = start();
    const port = await listeningPort(server);
    const client = calculatorClient(port);
    const call = client.calculateStream(new Metadata(), { deadline: Date.now() + 15_000 });
    const results: number[] = [];
    const firstResult = new Promise<void>((resolve) =>
      call.on("data", (response: CalculationResult) => {
        results.push(response.result);
        resolve();
      }),
    );
    const finished = new Promise<number>((resolve) => call.on("status", (s: { code: number }) => resolve(s.code)));
    call.on("error", () => undefined);
    call.write({ firstOperand: 1, secondOperand: 1, operation: Operation.ADD });
    await firstResult;

    server.child.kill("SIGTERM");
    await server.waitForLine((line) => String(line.message).startsWith("shutting down"));
    // A new connection is refused once shutdown has started.
    const late = calculatorClient(port);
    const error = await rejection(calculateOnce(late, { firstOperand: 2, secondOperand: 3 }));
    expect(error.code).toBe(status.UNAVAILABLE);
    late.close();

    // The call already running goes on and completes.
    call.write({ firstOperand: 2, secondOperand: 2, operation: Operation.ADD });
    call.write({ firstOperand: 3, secondOperand: 3, operation: Operation.MULTIPLY });
    call.end();
    await expect(finished).resolves.toBe(status.OK);
    expect(results).toEqual([2, 4, 9]);
    client.close();
    await expect(server.exited).resolves.toMatchObject({ code: 0 });
  });

  it("calls still running after SHUTDOWN_GRACE_MS are cancelled and the process exits 0", async () => {
    const server = start({ SHUTDOWN_GRACE_MS: "300" });
    const port = await listeningPort(server);
    const client = calculatorClient(port);
    const call = client.calculateStream(new Metadata(), { deadline: Date.now() + 15_000 });
    const firstResult = new Promise<void>((resolve) => call.once("data", () => resolve()));
    const finished = new Promise<number>((resolve) => call.on("status", (s: { code: number }) => resolve(s.code)));
    call.on("error", () => undefined);
    call.write({ firstOperand: 1, secondOperand: 1, operation: Operation.ADD });
    await firstResult;
    server.child.kill("SIGTERM");
    // The client never ends its stream: the server cancels it after the grace period.
    expect(await finished).not.toBe(status.OK);
    await expect(server.exited).resolves.toMatchObject({ code: 0 });
    expect(
      server.lines.some((line) => line.severity === "WARNING" && String(line.message).startsWith("grace period over")),
    ).toBe(true);
    client.close();
  });
});

describe("WORKERS=2", () => {
  it("serves from two processes sharing the port and drains all of them on SIGTERM", async () => {
    const server = start({ WORKERS: "2" });
    const ready = await server.waitForLine((line) => line.workers === 2);
    const port = ready.port as number;
    const workerLines = server.lines.filter((line) => String(line.message).startsWith("listening on"));
    expect(new Set(workerLines.map((line) => line.worker))).toEqual(new Set([1, 2]));
    expect(new Set(workerLines.map((line) => line.port))).toEqual(new Set([port]));
    // Separate connections are spread over the workers; each answers.
    const clients = Array.from({ length: 4 }, () => calculatorClient(port));
    await expect(
      Promise.all(clients.map((client, i) => calculateOnce(client, { firstOperand: i, secondOperand: 1 }))),
    ).resolves.toEqual([1, 2, 3, 4]);
    await expect(healthStatus(port)).resolves.toBe(ServingStatus.SERVING);
    for (const client of clients) client.close();

    server.child.kill("SIGTERM");
    await expect(server.exited).resolves.toMatchObject({ code: 0 });
    expect(server.lines.filter((line) => line.message === "server closed")).toHaveLength(2);
    expect(server.lines.at(-1)).toMatchObject({ role: "primary", message: "all workers exited" });
  });

  it("exits 1 when the workers cannot start", async () => {
    const holder = await startTestServer();
    try {
      const { code } = await start({ WORKERS: "2", PORT: String(holder.port) }).exited;
      expect(code).toBe(1);
    } finally {
      await holder.shutdown();
    }
  });
});

describe("logs", () => {
  const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

  it("are Cloud Logging JSON lines; the startup line says where it listens; per-call lines only at debug", async () => {
    const server = start({ LOG_LEVEL: "info" });
    const port = await listeningPort(server);
    const client = calculatorClient(port);
    await calculateOnce(client, { firstOperand: 2, secondOperand: 3 });
    client.close();
    server.child.kill("SIGTERM");
    await server.exited;
    expect(server.lines[0]).toMatchObject({
      severity: "INFO",
      message: `listening on 127.0.0.1:${port}`,
      address: "127.0.0.1",
      port,
    });
    for (const line of server.lines) {
      expect(typeof line.severity, JSON.stringify(line)).toBe("string");
      expect(typeof line.message, JSON.stringify(line)).toBe("string");
      expect(String(line.time)).toMatch(ISO);
    }
    expect(server.lines.some((line) => line.method !== undefined)).toBe(false);
  });

  it("carry logging.googleapis.com/trace from traceparent or x-cloud-trace-context when GOOGLE_CLOUD_PROJECT is set", async () => {
    const server = start({ LOG_LEVEL: "debug", GOOGLE_CLOUD_PROJECT: "my-project" });
    const port = await listeningPort(server);
    const client = calculatorClient(port);
    const w3c = new Metadata();
    w3c.set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    await calculateOnce(client, { firstOperand: 2, secondOperand: 3 }, w3c);
    const legacy = new Metadata();
    legacy.set("x-cloud-trace-context", "105445aa7843bc8bf206b12000100000/1;o=1");
    await rejection(calculateOnce(client, { firstOperand: 1, secondOperand: 0, operation: Operation.DIVIDE }, legacy));
    await calculateOnce(client, { firstOperand: 1, secondOperand: 1 });
    client.close();
    server.child.kill("SIGTERM");
    await server.exited;

    const calls = server.lines.filter((line) => line.method === "/Calculator/Calculate");
    expect(calls).toHaveLength(3);
    expect(calls[0]).toMatchObject({
      severity: "DEBUG",
      response: { result: 5 },
      "logging.googleapis.com/trace": "projects/my-project/traces/4bf92f3577b34da6a3ce929d0e0e4736",
      "logging.googleapis.com/spanId": "00f067aa0ba902b7",
    });
    expect(calls[1]).toMatchObject({
      severity: "WARNING",
      message: "division by zero: second_operand is 0",
      code: status.INVALID_ARGUMENT,
      "logging.googleapis.com/trace": "projects/my-project/traces/105445aa7843bc8bf206b12000100000",
    });
    expect(calls[2]).not.toHaveProperty("logging.googleapis.com/trace");
  });
});

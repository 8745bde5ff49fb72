import { createServer, type Server as NetServer } from "node:net";
import { status as Status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { type CalculatorClientOptions, createCalculatorClient } from "../src/index.js";
import { startTestServer, statusError } from "./helpers/test-server.js";
import { expectEndedAtDeadline, timed } from "./helpers/timing.js";

/**
 * A port where nothing speaks gRPC yet: a TCP listener that resets every connection, and reports the
 * first one (the client's first attempt has then failed). `serve()` swaps in the real gRPC server on
 * the same port.
 */
async function portThatComesUpLater() {
  let firstAttempt!: () => void;
  const attempted = new Promise<void>((resolve) => (firstAttempt = resolve));
  const listener: NetServer = createServer((socket) => {
    socket.destroy();
    firstAttempt();
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const address = listener.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    port: address.port,
    attempted,
    serve: async () => {
      await new Promise<void>((resolve) => listener.close(() => resolve()));
      return startTestServer({}, { port: address.port });
    },
    close: () => listener.close(),
  };
}

/** Starts `calculator.add(2, 3)` against a port whose server comes up after the first failed attempt. */
async function addWhileServerComesUp(options: CalculatorClientOptions): Promise<unknown> {
  const later = await portThatComesUpLater();
  await using calculator = createCalculatorClient(`127.0.0.1:${later.port}`, options);
  const result = calculator.add(2, 3).catch((e: unknown) => e);
  await later.attempted;
  const server = await later.serve();
  try {
    return await result;
  } finally {
    await server.close();
  }
}

describe("retries of UNAVAILABLE (service config retryPolicy)", () => {
  it("succeeds when the server comes up after the first attempt failed", async () => {
    expect(await addWhileServerComesUp({})).toBe(5);
  });

  it("control: the same scenario fails without retries", async () => {
    expect(await addWhileServerComesUp({ channelOptions: { "grpc.enable_retries": 0 } })).toMatchObject({
      codeName: "UNAVAILABLE",
    });
  });

  it("retries an UNAVAILABLE answer and not an INVALID_ARGUMENT one", async () => {
    let calls = 0;
    const server = await startTestServer({
      calculate(call, callback) {
        calls += 1;
        if (call.request.firstOperand < 0) return callback(statusError(Status.INVALID_ARGUMENT, "negative"));
        if (calls === 1) return callback(statusError(Status.UNAVAILABLE, "draining"));
        callback(null, { result: 42 });
      },
    });
    try {
      await using calculator = createCalculatorClient(`127.0.0.1:${server.port}`);
      expect(await calculator.add(1, 1)).toBe(42);
      expect(calls).toBe(2);
      await expect(calculator.add(-1, 1)).rejects.toMatchObject({ codeName: "INVALID_ARGUMENT" });
      expect(calls).toBe(3);
    } finally {
      await server.close();
    }
  });
});

describe("waitForReady", () => {
  it("waits for the server to come up instead of failing fast", async () => {
    // waiting, not retrying, is what is tested
    expect(await addWhileServerComesUp({ waitForReady: true, channelOptions: { "grpc.enable_retries": 0 } })).toBe(5);
  });

  it("still ends at the deadline", async () => {
    const later = await portThatComesUpLater();
    try {
      await using calculator = createCalculatorClient(`127.0.0.1:${later.port}`, { waitForReady: true });
      const { outcome, ms } = await timed(() => calculator.add(2, 3, { timeoutMs: 300 }));
      expect(outcome).toMatchObject({ codeName: "DEADLINE_EXCEEDED" });
      expectEndedAtDeadline(ms, 300);
    } finally {
      later.close();
    }
  });
});

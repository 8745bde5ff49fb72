import { Metadata, status as Status } from "@grpc/grpc-js";
import { Status as RpcStatus } from "@grpc-calculator/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CalculatorClient,
  CalculatorError,
  createCalculatorClient,
  isCalculatorError,
  Operation,
  operationNames,
} from "../src/index.js";
import { startRealServer } from "./helpers/real-server.js";
import { statusWithDetails, startTestServer, type TestServer } from "./helpers/test-server.js";
import { expectEndedAtDeadline, timed } from "./helpers/timing.js";

/** The real server, for what the calculator answers; a test server for metadata, hanging calls. */
let real: TestServer;
let server: TestServer;
let seenMetadata: Record<string, unknown>[] = [];
let release: (() => void) | undefined;

beforeAll(async () => {
  real = await startRealServer();
  server = await startTestServer({
    calculate(call, callback) {
      seenMetadata.push(call.metadata.getMap());
      // "hang" answers only when released (or never): for deadline and abort tests.
      if (call.metadata.get("x-test").includes("hang")) {
        release = () => callback(null, { result: 0 });
        return;
      }
      callback(null, { result: call.request.firstOperand + call.request.secondOperand });
    },
  });
});
afterAll(async () => {
  await server.close();
  await real.close();
});

const client = () => createCalculatorClient(`127.0.0.1:${server.port}`);
const realClient = () => createCalculatorClient(`127.0.0.1:${real.port}`);

describe("calculate", () => {
  it("computes with the enum and with names, and through the shortcuts", async () => {
    await using calculator = realClient();
    expect(await calculator.calculate({ firstOperand: 2, secondOperand: 3, operation: Operation.ADD })).toBe(5);
    expect(await calculator.calculate({ firstOperand: 2, secondOperand: 3, operation: "MULTIPLY" })).toBe(6);
    expect(await calculator.add(2, 3)).toBe(5);
    expect(await calculator.subtract(2, 3)).toBe(-1);
    expect(await calculator.multiply(4, 2.5)).toBe(10);
    expect(await calculator.divide(10, 4)).toBe(2.5);
    expect(await calculator.add(0.1, 0.2)).toBe(0.30000001192092896); // float32 on the wire: the float32 nearest 0.3
  });

  it("lists the operation names from the generated enum", () => {
    expect(operationNames).toEqual(["ADD", "SUBTRACT", "MULTIPLY", "DIVIDE"]);
  });

  it("sends metadata given as a record", async () => {
    await using calculator = client();
    seenMetadata = [];
    await calculator.add(1, 1, { metadata: { "x-request-id": "abc-123" } });
    expect(seenMetadata[0]?.["x-request-id"]).toBe("abc-123");
  });

  it("sends metadata given as Headers, and a grpc-js Metadata", async () => {
    await using calculator = client();
    seenMetadata = [];
    await calculator.add(1, 1, { metadata: new Headers({ "x-request-id": "from-headers" }) });
    const metadata = new Metadata();
    metadata.set("x-request-id", "from-metadata");
    await calculator.add(1, 1, { metadata });
    expect(seenMetadata.map((m) => m["x-request-id"])).toEqual(["from-headers", "from-metadata"]);
  });

  it("gives the server's trailing metadata as Headers, binary values base64", async () => {
    const trailers = new Metadata();
    trailers.set("x-reason", "maintenance");
    trailers.set("x-detail-bin", Buffer.from([1, 2, 3]));
    const failing = await startTestServer({
      calculate: (_call, callback) => callback({ code: Status.INVALID_ARGUMENT, details: "no", metadata: trailers }),
    });
    try {
      await using calculator = createCalculatorClient(`127.0.0.1:${failing.port}`);
      const error = (await calculator.add(1, 1).catch((e: unknown) => e)) as CalculatorError;
      expect(error.metadata).toBeInstanceOf(Headers);
      expect(error.metadata.get("x-reason")).toBe("maintenance");
      expect(error.metadata.get("x-detail-bin")).toBe(Buffer.from([1, 2, 3]).toString("base64"));
    } finally {
      await failing.close();
    }
  });

  it("surfaces the server's status as a CalculatorError", async () => {
    await using calculator = realClient();
    const error = await calculator.divide(1, 0).catch((e: unknown) => e);
    expect(isCalculatorError(error)).toBe(true);
    expect(error).toBeInstanceOf(CalculatorError);
    expect(error).toMatchObject({
      code: Status.INVALID_ARGUMENT,
      codeName: "INVALID_ARGUMENT",
      details: "division by zero: second_operand is 0",
      message: "INVALID_ARGUMENT: division by zero: second_operand is 0",
    });
    expect((error as CalculatorError).cause).toMatchObject({ code: Status.INVALID_ARGUMENT });
    await expect(calculator.multiply(3e38, 3e38)).rejects.toMatchObject({
      code: Status.OUT_OF_RANGE,
      codeName: "OUT_OF_RANGE",
    });
  });

  it("reads the status's details, typed: the ErrorInfo, the fields refused, and every detail as it came", async () => {
    await using calculator = realClient();
    const error = await calculator.divide(1, 0).catch((e: unknown) => e);
    expect(error).toMatchObject({
      errorInfo: { reason: "DIVISION_BY_ZERO", domain: "calculator", metadata: { operation: "DIVIDE" } },
      fieldViolations: [
        { field: "second_operand", reason: "DIVISION_BY_ZERO", description: "division by zero: second_operand is 0" },
      ],
    });
    expect((error as CalculatorError).statusDetails.map((detail) => detail.type)).toEqual([
      "google.rpc.ErrorInfo",
      "google.rpc.BadRequest",
    ]);
    await expect(calculator.multiply(3e38, 3e38)).rejects.toMatchObject({
      errorInfo: { reason: "RESULT_OUT_OF_RANGE", metadata: { operation: "MULTIPLY" } },
      fieldViolations: [],
    });
  });

  it.each([
    ["bytes that are no google.rpc.Status", Buffer.from([0xff, 0xff, 0xff])],
    ["a Status of another code", RpcStatus.encode({ code: Status.INTERNAL, message: "x", details: [] }).finish()],
  ])("keeps the call's own status, without details, when grpc-status-details-bin carries %s", async (_, bytes) => {
    const odd = await startTestServer({
      calculate: (_call, callback) => callback(statusWithDetails(Status.FAILED_PRECONDITION, "odd", {}, bytes)),
    });
    try {
      await using calculator = createCalculatorClient(`127.0.0.1:${odd.port}`);
      await expect(calculator.add(1, 2)).rejects.toMatchObject({
        codeName: "FAILED_PRECONDITION",
        details: "odd",
        statusDetails: [],
        errorInfo: undefined,
        fieldViolations: [],
      });
    } finally {
      await odd.close();
    }
  });

  it.each([
    [{ firstOperand: Number.NaN, secondOperand: 1, operation: "ADD" }, /firstOperand must be finite, got NaN/],
    [{ firstOperand: 1, secondOperand: Infinity, operation: "ADD" }, /secondOperand must be finite/],
    [{ firstOperand: 1e39, secondOperand: 1, operation: "ADD" }, /outside the float32 range/],
    [
      { firstOperand: 1, secondOperand: 1, operation: "NOT_AN_OPERATION" },
      /unknown operation "NOT_AN_OPERATION"; expected one of ADD, SUBTRACT, MULTIPLY, DIVIDE/,
    ],
    [{ firstOperand: 1, secondOperand: 1, operation: 7 }, /unknown operation 7/],
    [{ firstOperand: "1", secondOperand: 1, operation: "ADD" }, /firstOperand must be a number, got string/],
  ])("rejects %j before the network", async (request, message) => {
    await using calculator = client();
    seenMetadata = [];
    // @ts-expect-error -- deliberately wrong input, as plain JavaScript callers can pass it
    const error = await calculator.calculate(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CalculatorError);
    expect(error).toMatchObject({ code: Status.INVALID_ARGUMENT, codeName: "INVALID_ARGUMENT" });
    expect((error as Error).message).toMatch(message);
    expect(seenMetadata).toHaveLength(0);
  });
});

describe("deadlines and cancellation", () => {
  it("fails with DEADLINE_EXCEEDED after timeoutMs", async () => {
    await using calculator = client();
    const { outcome, ms } = await timed(() => calculator.add(1, 2, { timeoutMs: 150, metadata: { "x-test": "hang" } }));
    expect(outcome).toMatchObject({ codeName: "DEADLINE_EXCEEDED" });
    expectEndedAtDeadline(ms, 150);
  });

  it("applies the client's default timeout, and an absolute deadline per call", async () => {
    await using calculator = createCalculatorClient(`127.0.0.1:${server.port}`, { timeoutMs: 100 });
    const metadata = { "x-test": "hang" };
    const byDefault = await timed(() => calculator.add(1, 2, { metadata }));
    expect(byDefault.outcome).toMatchObject({ codeName: "DEADLINE_EXCEEDED" });
    expectEndedAtDeadline(byDefault.ms, 100);
    const absolute = await timed(() =>
      calculator.add(1, 2, { timeoutMs: 60_000, deadline: Date.now() + 100, metadata }),
    );
    expect(absolute.outcome).toMatchObject({ codeName: "DEADLINE_EXCEEDED" });
    expectEndedAtDeadline(absolute.ms, 100);
  });

  it("cancels through an AbortSignal, with the signal's reason as cause", async () => {
    await using calculator = client();
    const controller = new AbortController();
    const reason = new Error("user went away");
    seenMetadata = [];
    const pending = calculator.add(1, 2, { signal: controller.signal, metadata: { "x-test": "hang" } });
    await expect.poll(() => seenMetadata.length).toBe(1); // the server has the call
    controller.abort(reason);
    const error = await pending.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: Status.CANCELLED, codeName: "CANCELLED" });
    expect((error as Error).cause).toBe(reason);
    release?.();
  });

  it("fails at once with an already aborted signal", async () => {
    await using calculator = client();
    await expect(calculator.add(1, 2, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      codeName: "CANCELLED",
    });
  });
});

describe("lifecycle", () => {
  it("refuses calls after close()", async () => {
    const calculator = client();
    expect(await calculator.add(1, 1)).toBe(2);
    calculator.close();
    calculator.close(); // idempotent
    const closed = { code: Status.CANCELLED, details: "the client is closed" };
    await expect(calculator.add(1, 1)).rejects.toMatchObject(closed);
    await expect(
      calculator.calculateMany([{ firstOperand: 1, secondOperand: 1, operation: "ADD" }]).next(),
    ).rejects.toMatchObject(closed);
  });

  it("is AsyncDisposable: await using closes it", async () => {
    let escaped: CalculatorClient | undefined;
    {
      await using calculator = client();
      escaped = calculator;
      expect(await calculator.add(1, 1)).toBe(2);
    }
    await expect(escaped.add(1, 1)).rejects.toMatchObject({ details: "the client is closed" });
  });

  it("reports a refused connection as UNAVAILABLE", async () => {
    const closed = await startTestServer();
    const port = closed.port;
    await closed.close();
    await using calculator = createCalculatorClient(`127.0.0.1:${port}`, { timeoutMs: 5_000 });
    const error = await calculator.add(1, 1).catch((e: unknown) => e);
    expect(error).toMatchObject({ codeName: "UNAVAILABLE" });
    expect((error as CalculatorError).details).toMatch(/ECONNREFUSED/);
  }, 15_000);
});

// The calculator through the client SDK callers install, against the container: every operation, every
// error status, the stream. Cases the SDK already refuses before the network (NaN, Infinity, an unknown
// operation) are also sent raw with the generated client, so the server's own answer is checked too.
import { CalculatorError, createCalculatorClient, type CalculatorClient } from "@grpc-calculator/client";
import { type BinaryOperation, CalculatorClient as GeneratedClient, Operation } from "@grpc-calculator/proto";
import { credentials, type ServiceError, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type ServerContainer, startServerContainer } from "../src/server-container.js";

const e2e = inject("e2e");

async function failure(promise: Promise<unknown>): Promise<CalculatorError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(CalculatorError);
  return error as CalculatorError;
}

describe.skipIf(e2e.skip)("the calculator through the client SDK", () => {
  let server: ServerContainer;
  let calculator: CalculatorClient;
  let generated: GeneratedClient;

  const rawCalculate = (request: BinaryOperation) =>
    new Promise<ServiceError>((resolve, reject) => {
      generated.calculate(request, (error) => (error ? resolve(error) : reject(new Error("the server accepted it"))));
    });

  beforeAll(async () => {
    server = await startServerContainer(e2e.image, e2e.runId);
    calculator = createCalculatorClient(server.address, { tls: false });
    generated = new GeneratedClient(server.address, credentials.createInsecure());
  });
  afterAll(async () => {
    calculator?.close();
    generated?.close();
    await server?.container.stop({ timeout: 10_000 });
  });

  it("adds, subtracts, multiplies and divides", async () => {
    expect(await calculator.add(2, 3)).toBe(5);
    expect(await calculator.subtract(2, 3)).toBe(-1);
    expect(await calculator.multiply(2.5, 4)).toBe(10);
    expect(await calculator.divide(3, 2)).toBe(1.5);
    expect(await calculator.calculate({ firstOperand: 7, secondOperand: 2, operation: "DIVIDE" })).toBe(3.5);
    expect(await calculator.calculate({ firstOperand: 7, secondOperand: 2, operation: Operation.SUBTRACT })).toBe(5);
  });

  it("returns what float32 carries: the wire's precision, not double's", async () => {
    // 0.1 and 0.2 travel as float32s, and their sum is answered as the float32 nearest it (calculator.proto).
    expect(await calculator.add(0.1, 0.2)).toBe(0.30000001192092896);
    expect(0.1 + 0.2).toBe(0.30000000000000004); // what double arithmetic would have answered
  });

  it("refuses division by zero with INVALID_ARGUMENT", async () => {
    const error = await failure(calculator.divide(1, 0));
    expect(error.codeName).toBe("INVALID_ARGUMENT");
    expect(error.details).toMatch(/zero/i);
  });

  it("answers OUT_OF_RANGE when the result does not fit float32 (3e38 + 3e38)", async () => {
    const error = await failure(calculator.add(3e38, 3e38));
    expect(error.codeName).toBe("OUT_OF_RANGE");
    expect(error.details).toMatch(/float32|range/i);
  });

  it("refuses NaN, Infinity and an unknown operation with INVALID_ARGUMENT", async () => {
    for (const promise of [
      calculator.add(Number.NaN, 1),
      calculator.multiply(1, Number.POSITIVE_INFINITY),
      calculator.calculate({ firstOperand: 1, secondOperand: 2, operation: 7 as Operation }),
    ]) {
      expect((await failure(promise)).codeName).toBe("INVALID_ARGUMENT");
    }
  });

  it("the server itself refuses operation 7, NaN and -Infinity with INVALID_ARGUMENT naming the value", async () => {
    const seven = await rawCalculate({ firstOperand: 1, secondOperand: 2, operation: 7 as Operation });
    expect(seven.code).toBe(status.INVALID_ARGUMENT);
    expect(seven.details).toContain("7");
    const nan = await rawCalculate({ firstOperand: Number.NaN, secondOperand: 2, operation: Operation.ADD });
    expect(nan.code).toBe(status.INVALID_ARGUMENT);
    expect(nan.details).toContain("NaN");
    const infinity = await rawCalculate({ firstOperand: 1, secondOperand: -Infinity, operation: Operation.ADD });
    expect(infinity.code).toBe(status.INVALID_ARGUMENT);
    expect(infinity.details).toContain("Infinity");
  });

  it("streams many calculations over one call, results in order", async () => {
    const requests = Array.from({ length: 200 }, (_, i) => ({
      firstOperand: i,
      secondOperand: 2,
      operation: "MULTIPLY" as const,
    }));
    const results: number[] = [];
    for await (const result of calculator.calculateMany(requests)) results.push(result);
    expect(results).toEqual(requests.map((_, i) => i * 2));
  });

  it("ends the stream with the failing operation's index and status", async () => {
    const requests = [
      { firstOperand: 6, secondOperand: 3, operation: "DIVIDE" as const },
      { firstOperand: 1, secondOperand: 0, operation: "DIVIDE" as const },
      { firstOperand: 1, secondOperand: 1, operation: "ADD" as const },
    ];
    const results: number[] = [];
    const error = await failure(
      (async () => {
        for await (const result of calculator.calculateMany(requests)) results.push(result);
      })(),
    );
    expect(results).toEqual([2]);
    expect(error.codeName).toBe("INVALID_ARGUMENT");
    expect(error.index).toBe(1);
  });
});

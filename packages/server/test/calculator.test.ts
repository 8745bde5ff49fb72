import { Metadata, status, type ChannelOptions, type ClientDuplexStream, type ServiceError } from "@grpc/grpc-js";
import { Operation, type BinaryOperation, type CalculationResult, type CalculatorClient } from "@grpc-calculator/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer, StartServerOptions } from "../src/index.js";
import { calculateOnce, calculatorClient, rejection, startTestServer } from "./helpers.js";

// Every Calculator behaviour holds on both of the server's paths: the direct HTTP/2 path that serves
// plain calls, and grpc-js, which serves them with the direct path off and serves compressed calls always.
const servingPaths: [string, StartServerOptions, ChannelOptions][] = [
  ["the direct path", { directPath: true }, {}],
  ["grpc-js (direct path off)", { directPath: false }, {}],
  [
    "grpc-js (gzip-compressed requests fall back to it)",
    { directPath: true },
    { "grpc.default_compression_algorithm": 2 },
  ],
];

/** A server and a client of it for the enclosing describe block, started before its tests and closed after. */
function serveForTests(
  serverOptions: StartServerOptions,
  clientOptions: ChannelOptions,
): { server: RunningServer; client: CalculatorClient } {
  const served = {} as { server: RunningServer; client: CalculatorClient };
  beforeAll(async () => {
    served.server = await startTestServer(serverOptions);
    served.client = calculatorClient(served.server.port, clientOptions);
  });
  afterAll(async () => {
    served.client.close();
    await served.server.shutdown();
  });
  return served;
}

describe.each(servingPaths)("Calculate through %s", (_path, serverOptions, clientOptions) => {
  const served = serveForTests(serverOptions, clientOptions);

  it.each([
    [Operation.ADD, 2, 3, 5],
    [Operation.SUBTRACT, 2, 3, -1],
    [Operation.MULTIPLY, 2.5, 4, 10],
    [Operation.DIVIDE, 1, 4, 0.25],
  ])("operation %s answers", async (operation, firstOperand, secondOperand, expected) => {
    await expect(calculateOnce(served.client, { firstOperand, secondOperand, operation })).resolves.toBe(expected);
  });

  it("answers in float32: 0.1 + 0.2 is the float32 nearest 0.3", async () => {
    await expect(calculateOnce(served.client, { firstOperand: 0.1, secondOperand: 0.2 })).resolves.toBe(
      0.30000001192092896,
    );
  });

  it.each([
    [
      "an operation outside the enum",
      { operation: 7 as Operation },
      status.INVALID_ARGUMENT,
      /operation 7 is not a known Operation/,
    ],
    ["a NaN operand", { firstOperand: Number.NaN }, status.INVALID_ARGUMENT, /first_operand is NaN/],
    [
      "an infinite operand",
      { secondOperand: Number.NEGATIVE_INFINITY },
      status.INVALID_ARGUMENT,
      /second_operand is -Infinity/,
    ],
    [
      "division by zero",
      { firstOperand: 1, secondOperand: 0, operation: Operation.DIVIDE },
      status.INVALID_ARGUMENT,
      /^division by zero/,
    ],
    [
      "a float32 overflow",
      { firstOperand: 3e38, secondOperand: 3e38 },
      status.OUT_OF_RANGE,
      /outside the float32 range/,
    ],
  ])("rejects %s", async (_name, request: Partial<BinaryOperation>, code, message) => {
    const error = await rejection(calculateOnce(served.client, request));
    expect(error.code).toBe(code);
    expect(error.details).toMatch(message);
  });

  it("keeps serving after a rejected call", async () => {
    await rejection(calculateOnce(served.client, { operation: 9 as Operation }));
    await expect(calculateOnce(served.client, { firstOperand: 2, secondOperand: 3 })).resolves.toBe(5);
  });
});

interface StreamOutcome {
  results: number[];
  error: ServiceError | undefined;
}

function runStream(client: CalculatorClient, requests: readonly Partial<BinaryOperation>[]): Promise<StreamOutcome> {
  return new Promise((resolve) => {
    const call: ClientDuplexStream<BinaryOperation, CalculationResult> = client.calculateStream(new Metadata(), {
      deadline: Date.now() + 15_000,
    });
    const results: number[] = [];
    let error: ServiceError | undefined;
    call.on("data", (response: CalculationResult) => results.push(response.result));
    call.on("error", (e: ServiceError) => (error = e));
    call.on("status", () => setImmediate(() => resolve({ results, error })));
    // Write with backpressure, like a well-behaved client.
    let i = 0;
    const pump = () => {
      while (i < requests.length) {
        const request = requests[i++];
        const full: BinaryOperation = { firstOperand: 0, secondOperand: 0, operation: Operation.ADD, ...request };
        if (!call.write(full)) {
          call.once("drain", pump);
          return;
        }
      }
      call.end();
    };
    pump();
  });
}

describe.each(servingPaths)("CalculateStream through %s", (_path, serverOptions, clientOptions) => {
  const served = serveForTests(serverOptions, clientOptions);

  it("answers every operation in request order", async () => {
    // Integers below 2^24 and their halves: every exact result is a float32, so plain arithmetic is the answer.
    const arithmetic: [Operation, (a: number, b: number) => number][] = [
      [Operation.ADD, (a, b) => a + b],
      [Operation.SUBTRACT, (a, b) => a - b],
      [Operation.MULTIPLY, (a, b) => a * b],
      [Operation.DIVIDE, (a, b) => a / b],
    ];
    const cases = Array.from({ length: 2_000 }, (_, i) => {
      const [operation, apply] = arithmetic[i % arithmetic.length]!;
      const request = { firstOperand: i, secondOperand: i % 7 === 0 ? 2 : 1, operation };
      return { request, expected: apply(request.firstOperand, request.secondOperand) };
    });
    const { results, error } = await runStream(
      served.client,
      cases.map((c) => c.request),
    );
    expect(error).toBeUndefined();
    expect(results).toEqual(cases.map((c) => c.expected));
  });

  it("ends at the first invalid operation with its status and zero-based index", async () => {
    const { results, error } = await runStream(served.client, [
      { firstOperand: 1, secondOperand: 1 },
      { firstOperand: 2, secondOperand: 2 },
      { firstOperand: 3, secondOperand: 3 },
      { firstOperand: 1, secondOperand: 0, operation: Operation.DIVIDE },
      { firstOperand: 4, secondOperand: 4 },
    ]);
    expect(results).toEqual([2, 4, 6]);
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
    expect(error?.details).toBe("operation 3: division by zero: second_operand is 0");
  });

  it("reports OUT_OF_RANGE with the index of the overflowing operation", async () => {
    const { results, error } = await runStream(served.client, [{ firstOperand: 3e38, secondOperand: 3e38 }]);
    expect(results).toEqual([]);
    expect(error?.code).toBe(status.OUT_OF_RANGE);
    expect(error?.details).toMatch(/^operation 0: ADD of /);
  });

  it("answers an empty stream with OK and no results", async () => {
    await expect(runStream(served.client, [])).resolves.toEqual({ results: [], error: undefined });
  });

  it("stops reading while the client does not read results (backpressure)", async () => {
    const call = served.client.calculateStream(new Metadata(), { deadline: Date.now() + 15_000 });
    call.pause();
    let accepted = 0;
    const request: BinaryOperation = { firstOperand: 1, secondOperand: 1, operation: Operation.ADD };
    // With nobody reading results, the server stops reading requests, so the client's writes
    // eventually report a full buffer instead of growing memory without bound.
    while (call.write(request) && accepted < 1_000_000) accepted += 1;
    expect(accepted).toBeLessThan(1_000_000);
    const drained = new Promise<void>((resolve) => call.once("drain", () => resolve()));
    let received = 0;
    call.on("data", () => (received += 1));
    call.resume();
    await drained;
    call.end();
    await new Promise<void>((resolve) => call.on("status", () => resolve()));
    expect(received).toBe(accepted + 1);
  });
});

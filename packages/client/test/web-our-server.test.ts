// The web entry from Node's `fetch` (the edge-runtime case) against this repository's server, in
// process: Connect and gRPC-Web over HTTP/1.1 (Node's fetch), answers, the service's errors with their
// details, deadlines and calculateMany's batching, as the same calls through the Node entry give them;
// and Connect GET, opted into with `useHttpGet`.
import { createLogger, startServer, type RunningServer } from "@grpc-calculator/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectProtocol, createCalculatorClient, grpcWebProtocol, type CalculatorClient } from "../src/web.js";

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ host: "127.0.0.1", port: 0, logger: createLogger({ level: "silent" }) });
});
afterAll(() => server.shutdown());

describe.each([
  ["Connect", connectProtocol],
  ["gRPC-Web", grpcWebProtocol],
])("the web entry over %s against our server", (_name, protocol) => {
  let calculator: CalculatorClient;
  beforeAll(() => {
    calculator = createCalculatorClient(`http://127.0.0.1:${server.port}`, { protocol });
  });
  afterAll(() => calculator.close());

  it("calculates, float32 results exact", async () => {
    expect(await calculator.add(2, 3)).toBe(5);
    expect(await calculator.divide(10, 4)).toBe(2.5);
    expect(await calculator.add(0.1, 0.2)).toBe(0.30000001192092896); // the float32 nearest 0.3
  });

  it("fails with the service's status, message and details, typed as in Node", async () => {
    await expect(calculator.divide(1, 0)).rejects.toMatchObject({
      codeName: "INVALID_ARGUMENT",
      details: "division by zero: second_operand is 0",
      errorInfo: { reason: "DIVISION_BY_ZERO", domain: "calculator", metadata: { operation: "DIVIDE" } },
      fieldViolations: [
        { field: "second_operand", reason: "DIVISION_BY_ZERO", description: "division by zero: second_operand is 0" },
      ],
      statusDetails: [{ type: "google.rpc.ErrorInfo" }, { type: "google.rpc.BadRequest" }],
    });
    await expect(calculator.add(3e38, 3e38)).rejects.toMatchObject({
      codeName: "OUT_OF_RANGE",
      errorInfo: { reason: "RESULT_OUT_OF_RANGE", metadata: { operation: "ADD" } },
      fieldViolations: [],
    });
  });

  it("answers calculateMany in order, failing at the first invalid operation with its index", async () => {
    const results: number[] = [];
    const run = async () => {
      for await (const result of calculator.calculateMany([
        { firstOperand: 1, secondOperand: 1, operation: "ADD" },
        { firstOperand: 2, secondOperand: 3, operation: "MULTIPLY" },
        { firstOperand: 1, secondOperand: 0, operation: "DIVIDE" },
      ])) {
        results.push(result);
      }
    };
    await expect(run()).rejects.toMatchObject({
      codeName: "INVALID_ARGUMENT",
      index: 2,
      fieldViolations: [{ field: "second_operand" }],
    });
    expect(results).toEqual([2, 6]);
  });
});

describe("useHttpGet: Calculate over Connect GET", () => {
  /** The HTTP methods of the calls a client made, seen by its `fetch`. */
  const recording = (methods: string[]): typeof fetch => {
    return (input, init) => {
      methods.push(init?.method ?? "GET");
      return fetch(input, init);
    };
  };

  it("sends Calculate as GET when asked, answers and errors (with details) alike; POST by default", async () => {
    const methods: string[] = [];
    const url = `http://127.0.0.1:${server.port}`;
    await using viaGet = createCalculatorClient(url, { useHttpGet: true, fetch: recording(methods) });
    expect(await viaGet.add(0.1, 0.2)).toBe(0.30000001192092896);
    await expect(viaGet.divide(1, 0)).rejects.toMatchObject({
      codeName: "INVALID_ARGUMENT",
      details: "division by zero: second_operand is 0",
      fieldViolations: [{ field: "second_operand" }],
    });
    expect(methods).toEqual(["GET", "GET"]);
    methods.length = 0;
    await using viaPost = createCalculatorClient(url, { fetch: recording(methods) });
    expect(await viaPost.add(2, 3)).toBe(5);
    expect(methods).toEqual(["POST"]);
  });
});

// The Node entry (grpc-js, the gRPC protocol over h2c) against a server of the same contract that is not
// ours: @connectrpc/connect-node with the descriptor built from the published descriptor set.
import { type ConnectTestServer, startConnectTestServer } from "@grpc-calculator/connect-test-server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createCalculatorClient } from "../src/index.js";

let server: ConnectTestServer;
beforeAll(async () => {
  server = await startConnectTestServer({ http: "h2c" });
});
afterAll(() => server.close());

it("calculates and reports the server's status", async () => {
  await using calculator = createCalculatorClient(`127.0.0.1:${server.port}`);
  expect(await calculator.add(0.1, 0.2)).toBe(0.30000001192092896); // the float32 nearest 0.3
  await expect(calculator.divide(1, 0)).rejects.toMatchObject({
    codeName: "INVALID_ARGUMENT",
    details: "division by zero: second_operand is 0",
  });
});

it("streams calculateMany over one CalculateStream call", async () => {
  await using calculator = createCalculatorClient(`127.0.0.1:${server.port}`);
  const results: number[] = [];
  const requests = [1, 2, 3].map((n) => ({ firstOperand: n, secondOperand: n, operation: "MULTIPLY" as const }));
  for await (const result of calculator.calculateMany(requests)) results.push(result);
  expect(results).toEqual([1, 4, 9]);
  results.length = 0;
  const failing = [...requests, { firstOperand: 1, secondOperand: 0, operation: "DIVIDE" as const }];
  const error = await (async () => {
    for await (const result of calculator.calculateMany(failing)) results.push(result);
  })().catch((e: unknown) => e);
  expect(results).toEqual([1, 4, 9]);
  expect(error).toMatchObject({ codeName: "INVALID_ARGUMENT", index: 3 });
});

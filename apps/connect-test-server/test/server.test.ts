// The test server itself, checked with an independent client: connect-node's own transports (Connect and
// gRPC-Web over HTTP/1.1, Connect over h2c) and plain fetch for CORS. The SDK's suites then use it.
import { createClient } from "@connectrpc/connect";
import { createAsyncIterable } from "@connectrpc/connect/protocol";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import type { CalculationResult } from "@grpc-calculator/proto";
import { CalculatorDesc } from "@grpc-calculator/proto/protobuf-es";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConnectTestServer, startConnectTestServer } from "../src/index.js";

/** The descriptor carries no TypeScript types: read the answer as the contract's ts-proto type. */
const result = (message: unknown) => (message as CalculationResult).result;

let http1: ConnectTestServer;
let h2c: ConnectTestServer;
beforeAll(async () => {
  http1 = await startConnectTestServer({ corsOrigins: ["http://page.test"] });
  h2c = await startConnectTestServer({ http: "h2c" });
});
afterAll(async () => {
  await http1.close();
  await h2c.close();
});

describe.each([
  ["Connect", "1.1", () => createConnectTransport({ baseUrl: http1.url, httpVersion: "1.1" })],
  ["gRPC-Web", "1.1", () => createGrpcWebTransport({ baseUrl: http1.url, httpVersion: "1.1" })],
  ["Connect", "2", () => createConnectTransport({ baseUrl: h2c.url, httpVersion: "2" })],
] as const)("%s over HTTP/%s", (_protocol, _version, transport) => {
  it("answers Calculate with the server's results and statuses", async () => {
    const client = createClient(CalculatorDesc, transport());
    expect(result(await client.calculate({ firstOperand: 2, secondOperand: 3 }))).toBe(5);
    expect(result(await client.calculate({ firstOperand: 0.1, secondOperand: 0.2 }))).toBe(Math.fround(0.3));
    await expect(client.calculate({ firstOperand: 1, secondOperand: 0, operation: 3 })).rejects.toMatchObject({
      code: 3,
      rawMessage: "division by zero: second_operand is 0",
    });
  });
});

it("streams CalculateStream over h2c, ending with the failing operation's index", async () => {
  const client = createClient(CalculatorDesc, createConnectTransport({ baseUrl: h2c.url, httpVersion: "2" }));
  const requests = () =>
    createAsyncIterable([
      { firstOperand: 1, secondOperand: 1 },
      { firstOperand: 1, secondOperand: 0, operation: 3 },
    ]);
  const results: number[] = [];
  const error = await (async () => {
    for await (const response of client.calculateStream(requests())) results.push(result(response));
  })().catch((e: unknown) => e);
  expect(results).toEqual([2]);
  expect(error).toMatchObject({ code: 3, rawMessage: "operation 1: division by zero: second_operand is 0" });
});

it("answers a CORS preflight for an allowed origin only", async () => {
  const preflight = (origin: string) =>
    fetch(`${http1.url}/Calculator/Calculate`, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
  const allowed = await preflight("http://page.test");
  expect(allowed.status).toBe(204);
  expect(allowed.headers.get("access-control-allow-origin")).toBe("http://page.test");
  expect(allowed.headers.get("access-control-allow-headers")).toMatch(/connect-protocol-version/i);
  const other = await preflight("http://elsewhere.test");
  expect(other.headers.get("access-control-allow-origin")).toBeNull();
});

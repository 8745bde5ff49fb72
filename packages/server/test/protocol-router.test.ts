// The protocol router is the one place that reaches into grpc-js's private state. It must engage on
// the grpc-js version package.json pins — this suite fails (CI red) when an upgrade changes what it
// relies on — and when it cannot engage, the server must still answer nothing wrong.
import { createRequire } from "node:module";
import { createGrpcWebTransport } from "@connectrpc/connect-node";
import { createClient } from "@connectrpc/connect";
import { credentials } from "@grpc/grpc-js";
import { CalculatorClient } from "@grpc-calculator/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/index.js";
import { calculateOnce, captureLog, startTestServer } from "./helpers.js";
import { calculatorService } from "./protocol-clients.js";
import { http1, http2 } from "./web-http.js";

const require = createRequire(import.meta.url);
const json = { "content-type": "application/json" };
const body = '{"firstOperand": 2, "secondOperand": 3}';

describe("the protocol router on the pinned @grpc/grpc-js", () => {
  const { lines, logger } = captureLog();
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({ logger });
  });
  afterAll(() => server.shutdown());

  it("is pinned to an exact version, the one installed", () => {
    const pinned = (require("../package.json") as { dependencies: Record<string, string> }).dependencies[
      "@grpc/grpc-js"
    ];
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect((require("@grpc/grpc-js/package.json") as { version: string }).version).toBe(pinned);
  });

  it("engages: plain gRPC calls take the direct path and Connect is served over h2c", async () => {
    expect(server.protocolRouterEngaged).toBe(true);
    expect(lines.find((line) => String(line.message).startsWith("listening"))).toMatchObject({ protocolRouter: true });
    const client = new CalculatorClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
    await expect(calculateOnce(client, { firstOperand: 2, secondOperand: 3 })).resolves.toBe(5);
    client.close();
    expect((await http2(server.port, { headers: json, body })).body.toString()).toBe('{"result":5}');
    const served = lines.filter((line) => line.message === "calculated").map((line) => [line.protocol, line.servedBy]);
    expect(served).toEqual([
      ["grpc", "direct"],
      ["connect", "direct"],
    ]);
    expect(lines.filter((line) => line.severity === "ERROR")).toEqual([]);
  });
});

describe("a protocol router that cannot engage (as after a grpc-js upgrade that changed its internals)", () => {
  const { lines, logger } = captureLog();
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({ logger, protocolRouter: false });
  });
  afterAll(() => server.shutdown());

  it("logs one error line saying what still works", () => {
    expect(server.protocolRouterEngaged).toBe(false);
    const errors = lines.filter((line) => line.severity === "ERROR");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/protocol router could not engage.*gRPC calls go through grpc-js/);
  });

  it("still serves gRPC, through grpc-js", async () => {
    const client = new CalculatorClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
    await expect(calculateOnce(client, { firstOperand: 2, secondOperand: 3 })).resolves.toBe(5);
    client.close();
    expect(lines.filter((line) => line.message === "calculated").at(-1)).toMatchObject({ servedBy: "grpc-js" });
  });

  it("answers Connect over h2c with 415 (grpc-js), never a result", async () => {
    const answer = await http2(server.port, { headers: json, body });
    expect(answer.status).toBe(415);
    expect(answer.body.toString()).not.toContain("result");
  });

  it("gives gRPC-Web over h2c no answer its clients accept (grpc-js answers it as gRPC: status in HTTP/2 trailers)", async () => {
    const client = createClient(
      calculatorService(),
      createGrpcWebTransport({ baseUrl: `http://127.0.0.1:${server.port}`, httpVersion: "2" }),
    ) as unknown as { calculate(request: object): Promise<unknown> };
    await expect(client.calculate({ firstOperand: 2, secondOperand: 3 })).rejects.toThrow(/trailer|status/i);
  });

  it("keeps serving the web protocols over HTTP/1.1", async () => {
    expect((await http1(server.port, { headers: json, body })).body.toString()).toBe('{"result":5}');
  });
});

// The request-logging middleware around a service with a bug: the caller gets INTERNAL, the log one
// ERROR line with the exception's stack (one line per call, unary and streaming alike).
import { status } from "@grpc/grpc-js";
import { CallError, defineService, startRpcServer, type RpcServer } from "@grpc-calculator/rpc-server";
import { CalculatorService, Operation, type BinaryOperation } from "@grpc-calculator/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestLogging } from "../src/middleware/request-logging.js";
import { calculateOnce, calculatorClient, captureLog, rejection } from "./helpers.js";

function bug(_request?: unknown): never {
  throw new TypeError("a bug");
}

const { lines, logger } = captureLog("error");
const request = { firstOperand: 1, secondOperand: 2, operation: Operation.ADD };

describe("a bug in the service", () => {
  let server: RpcServer;
  beforeAll(async () => {
    const buggy = defineService(CalculatorService, {
      // DIVIDE stands for the caller's fault; anything else hits the bug.
      calculate: (request: BinaryOperation) => {
        if (request.operation === Operation.DIVIDE) throw new CallError(status.INVALID_ARGUMENT, "not today");
        return bug();
      },
      // eslint-disable-next-line require-yield -- fails before its first answer
      async *calculateStream(requests) {
        for await (const request of requests) bug(request);
      },
    });
    server = await startRpcServer({
      services: [buggy],
      host: "127.0.0.1",
      port: 0,
      middleware: [requestLogging({ logger, googleCloudProject: undefined, describeRequest: (r) => r })],
    });
  });
  afterAll(() => server.shutdown(1000));

  it("unary: the call fails INTERNAL and one ERROR line carries the stack", async () => {
    lines.length = 0;
    const client = calculatorClient(server.port);
    const error = await rejection(calculateOnce(client, request));
    client.close();
    expect(error).toMatchObject({ code: status.INTERNAL, details: "internal error: a bug" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      severity: "ERROR",
      message: "internal error: a bug",
      code: status.INTERNAL,
      err: {
        type: "TypeError",
        message: "a bug",
        stack: expect.stringMatching(/^TypeError: a bug\n\s+at .*request-logging\.test\.ts:\d+/) as unknown,
      },
    });
  });

  it("streaming: one ERROR line with the stack, not a second WARNING when the call ends", async () => {
    lines.length = 0;
    const client = calculatorClient(server.port);
    const call = client.calculateStream();
    const failed = new Promise<{ code: number }>((resolve) => call.on("error", resolve));
    call.on("data", () => undefined);
    call.write(request);
    call.end();
    expect(await failed).toMatchObject({ code: status.INTERNAL });
    client.close();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ severity: "ERROR", operations: 0, err: { message: "a bug" } });
  });

  it("a CallError is the caller's fault, not a bug: no ERROR line", async () => {
    lines.length = 0;
    const client = calculatorClient(server.port);
    const error = await rejection(calculateOnce(client, { ...request, operation: Operation.DIVIDE }));
    client.close();
    expect(error).toMatchObject({ code: status.INVALID_ARGUMENT, details: "not today" });
    expect(lines).toEqual([]);
  });
});

// Small grpc-js servers for behaviour the real server doesn't have on demand (auth checks, delays,
// failures, TLS). They implement the contract from the generated CalculatorService, loopback only.
import {
  type BinaryOperation,
  type CalculationResult,
  type CalculatorServer,
  CalculatorService,
  ErrorInfo,
  Operation,
  Status as RpcStatus,
} from "@grpc-calculator/proto";
import { Metadata, Server, ServerCredentials, status as Status, type ServerErrorResponse } from "@grpc/grpc-js";
import { HealthImplementation, type ServingStatusMap } from "grpc-health-check";

export interface TestServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Minimal arithmetic with the contract's division-by-zero rule; enough for client tests. */
export function compute(request: BinaryOperation): number {
  const { firstOperand: a, secondOperand: b } = request;
  switch (request.operation) {
    case Operation.ADD:
      return a + b;
    case Operation.SUBTRACT:
      return a - b;
    case Operation.MULTIPLY:
      return a * b;
    case Operation.DIVIDE:
      if (b === 0) throw statusError(Status.INVALID_ARGUMENT, "division by zero");
      return a / b;
    default:
      throw statusError(Status.INVALID_ARGUMENT, `unknown operation ${request.operation}`);
  }
}

export function statusError(code: Status, details: string): ServerErrorResponse {
  return Object.assign(new Error(details), { code, details });
}

/**
 * A status whose `grpc-status-details-bin` is `bytes` (grpc-js sends binary metadata base64): by default a
 * google.rpc.Status of the same code and message with one ErrorInfo of `metadata`.
 */
export function statusWithDetails(
  code: Status,
  details: string,
  metadata: Record<string, string>,
  bytes: Uint8Array = RpcStatus.encode({
    code,
    message: details,
    details: [
      {
        typeUrl: `type.googleapis.com/${ErrorInfo.$type}`,
        value: ErrorInfo.encode({ reason: "TEST", domain: "test", metadata }).finish(),
      },
    ],
  }).finish(),
): ServerErrorResponse {
  const trailers = new Metadata();
  trailers.set("grpc-status-details-bin", Buffer.from(bytes));
  return Object.assign(statusError(code, details), { metadata: trailers });
}

export const defaultHandlers: CalculatorServer = {
  calculate(call, callback) {
    try {
      callback(null, { result: compute(call.request) });
    } catch (error) {
      callback(error as ServerErrorResponse);
    }
  },
  // In order, with backpressure: stop reading while the response side is full.
  calculateStream(call) {
    let index = 0;
    call.on("data", (request: BinaryOperation) => {
      let response: CalculationResult;
      try {
        response = { result: compute(request) };
      } catch (error) {
        const e = error as ServerErrorResponse;
        call.emit("error", statusError(e.code ?? Status.UNKNOWN, `operation ${index}: ${e.details}`));
        return;
      }
      index += 1;
      if (!call.write(response)) {
        call.pause();
        call.once("drain", () => call.resume());
      }
    });
    call.on("end", () => call.end());
  },
};

export interface TestHandlers {
  calculate?: CalculatorServer["calculate"];
  calculateStream?: CalculatorServer["calculateStream"];
}

export async function startTestServer(
  handlers: TestHandlers = {},
  options: { port?: number; credentials?: ServerCredentials; host?: string; health?: ServingStatusMap } = {},
): Promise<TestServer> {
  const server = new Server();
  server.addService(CalculatorService, { ...defaultHandlers, ...handlers });
  if (options.health) new HealthImplementation(options.health).addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `${options.host ?? "127.0.0.1"}:${options.port ?? 0}`,
      options.credentials ?? ServerCredentials.createInsecure(),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    ),
  );
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}

import { CalculatorClient as GrpcCalculatorClient } from "@grpc-calculator/proto";
import type { Transport } from "../core/transport.js";
import { calculateMany } from "./calculate-many.js";
import { grpcCallArgs, toCalculatorError } from "./call.js";
import { type ConnectionOptions, resolveConnection } from "./connection.js";

/**
 * The Node transport: the generated grpc-js client on one channel (HTTP/2, TLS by default for remote
 * hosts). grpc-js retries UNAVAILABLE itself, from the service config the client's retry rule is written
 * into; `calculateMany` is one CalculateStream call.
 */
export function createGrpcTransport(target: string, options: ConnectionOptions): Transport {
  const connection = resolveConnection(target, options);
  const grpc = new GrpcCalculatorClient(connection.target.address, connection.credentials, connection.clientOptions);
  return {
    target: connection.target,
    retriesUnavailable: true,
    calculate: (request, call) =>
      new Promise((resolve, reject) => {
        const { signal } = call;
        const { metadata, callOptions } = grpcCallArgs(call);
        const onAbort = () => pending.cancel();
        const pending = grpc.calculate(request, metadata, callOptions, (error, response) => {
          signal?.removeEventListener("abort", onAbort);
          if (error) reject(toCalculatorError(error));
          else resolve(response.result);
        });
        signal?.addEventListener("abort", onAbort, { once: true });
      }),
    calculateMany: (requests, signal, start) =>
      calculateMany(
        () => {
          const { metadata, callOptions } = grpcCallArgs(start());
          return grpc.calculateStream(metadata, callOptions);
        },
        requests,
        signal,
      ),
    close: () => grpc.close(),
  };
}

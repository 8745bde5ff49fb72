import { Client } from "@grpc/grpc-js";
import type { Transport } from "../core/transport.js";
import { bidiStream } from "./bidi-stream.js";
import { grpcCallArgs, toCalculatorError } from "./call.js";
import { type ConnectionOptions, resolveConnection } from "./connection.js";
import type { GrpcMethods } from "./grpc-methods.js";

/**
 * The Node transport: a grpc-js client on one channel (HTTP/2, TLS by default for remote hosts), calling
 * any method by its generated definition (path and serializers). grpc-js retries UNAVAILABLE itself, from
 * the service config the client's retry rule is written into.
 */
export function createGrpcTransport(target: string, options: ConnectionOptions): Transport<GrpcMethods> {
  const connection = resolveConnection(target, options);
  const grpc = new Client(connection.target.address, connection.credentials, connection.clientOptions);
  return {
    target: connection.target,
    retriesUnavailable: true,
    unary: (method, request, call) =>
      new Promise((resolve, reject) => {
        const { signal } = call;
        const { metadata, callOptions } = grpcCallArgs(call);
        const onAbort = () => pending.cancel();
        const pending = grpc.makeUnaryRequest(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          request,
          metadata,
          callOptions,
          (error, response) => {
            signal?.removeEventListener("abort", onAbort);
            if (error) reject(toCalculatorError(error));
            else if (response === undefined) reject(toCalculatorError(new Error("the call ended without a response")));
            else resolve(response);
          },
        );
        signal?.addEventListener("abort", onAbort, { once: true });
      }),
    bidiStream: (method, requests, signal, start) =>
      bidiStream(
        () => {
          const { metadata, callOptions } = grpcCallArgs(start());
          return grpc.makeBidiStreamRequest(
            method.path,
            method.requestSerialize,
            method.responseDeserialize,
            metadata,
            callOptions,
          );
        },
        requests,
        signal,
      ),
    close: () => grpc.close(),
  };
}

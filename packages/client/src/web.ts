/**
 * `@grpc-calculator/client/web` (also what `@grpc-calculator/client` resolves to for browsers, workers,
 * Deno and edge runtimes): the same calculator API as the Node entry, over `fetch` with the Connect protocol
 * (default) or gRPC-Web, through `@connectrpc/connect-web`. No grpc-js and no Node built-in in its import graph.
 *
 * ```ts
 * const calculator = createCalculatorClient("https://grpc-calculator-xxxx-uc.a.run.app");
 * console.log(await calculator.add(2, 3)); // 5
 * ```
 */
import { CalculatorDesc } from "@grpc-calculator/proto/protobuf-es";
import { type CalculatorClient, type ClientDefaults, createClient } from "./core/client.js";
import { createFetchTransport, type FetchTransportOptions } from "./web/transport.js";

/** Options of {@link createCalculatorClient} (web): the call timeout, protocol, auth, `fetch`. */
export interface WebClientOptions extends Omit<ClientDefaults, "waitForReady">, FetchTransportOptions {}

/**
 * Creates a calculator client over `fetch`.
 *
 * `target`: a base URL (`https://host`, `http://localhost:50051`, `https://host/prefix`), a path relative to
 * the page (`/` through a dev proxy), or `host:port` as in Node (plaintext for loopback, else https).
 */
export function createCalculatorClient(target: string, options: WebClientOptions = {}): CalculatorClient {
  return createClient(createFetchTransport(target, options), CalculatorDesc.method, options);
}

export type { WebClientOptions as CalculatorClientOptions };
export { connectProtocol, grpcWebProtocol, type WebProtocol } from "./web/transport.js";
export * from "./core/api.js";

import { CalculatorService } from "@grpc-calculator/proto";
import { type CalculatorClient, type ClientDefaults, createClient } from "../core/client.js";
import type { ConnectionOptions } from "./connection.js";
import { createGrpcTransport } from "./transport.js";

/** Options of {@link createCalculatorClient} (Node): call defaults, and how the channel connects. */
export interface CalculatorClientOptions extends ConnectionOptions, ClientDefaults {}

/**
 * Creates a calculator client (Node, over grpc-js).
 *
 * ```ts
 * const calculator = createCalculatorClient("localhost:50051");
 * console.log(await calculator.add(2, 3)); // 5
 * ```
 *
 * `target`: `host:port`, `dns:///host:port`, `https://host` (port 443, TLS) or `http://host:port`
 * (plaintext). Loopback targets are plaintext by default, everything else TLS with the system roots.
 */
export function createCalculatorClient(target: string, options: CalculatorClientOptions = {}): CalculatorClient {
  return createClient(createGrpcTransport(target, options), CalculatorService, options);
}

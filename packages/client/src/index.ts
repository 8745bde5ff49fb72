/**
 * `@grpc-calculator/client` (Node): the grpc-calculator service as promises, over grpc-js.
 *
 * - `createCalculatorClient(target, options)` → `calculate`, `add`/`subtract`/`multiply`/`divide`,
 *   `calculateMany` (streaming), `close()` / `await using`.
 * - `CalculatorError` / `isCalculatorError`: the one error type of every call.
 * - `parseTarget`: how a target string is read (host, port, TLS).
 * - `Operation` comes from `@grpc-calculator/proto` and is re-exported here.
 *
 * Browsers and edge runtimes get `./web` (the same API over fetch); see the README.
 */
export { createCalculatorClient, type CalculatorClientOptions } from "./node/client.js";
export * from "./core/api.js";
export { DEFAULT_PLAINTEXT_PORT, isLoopbackHost, parseTarget, type ParseTargetOptions } from "./core/target.js";
export type { AuthOption } from "./node/auth.js";
export type { ConnectionOptions } from "./node/connection.js";
export type { OpenTelemetryOptions } from "./node/open-telemetry.js";

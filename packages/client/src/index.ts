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
export type { CalculatorClient, ClientDefaults } from "./core/client.js";
export {
  CalculatorError,
  isCalculatorError,
  type CalculatorErrorOptions,
  type StatusName,
} from "./core/calculator-error.js";
export { type CalculateRequest, type OperationName, operationNames } from "./core/operation.js";
export { formatFloat32 } from "./core/float32.js";
export {
  type CalculatorTarget,
  DEFAULT_PLAINTEXT_PORT,
  isLoopbackHost,
  parseTarget,
  type ParseTargetOptions,
} from "./core/target.js";
export type { CallMetadata, CallOptions, GrpcMetadataLike } from "./core/call-options.js";
export type { TokenSource } from "./core/token.js";
export type { AuthOption } from "./node/auth.js";
export type { ConnectionOptions } from "./node/connection.js";
export { Operation } from "@grpc-calculator/proto/messages";

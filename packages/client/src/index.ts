/**
 * `@grpc-calculator/client`: the grpc-calculator service as promises.
 *
 * - `createCalculatorClient(target, options)` → `calculate`, `add`/`subtract`/`multiply`/`divide`,
 *   `calculateMany` (streaming), `close()` / `await using`.
 * - `CalculatorError` / `isCalculatorError`: the one error type of every call.
 * - `parseTarget`: how a target string is read (host, port, TLS).
 * - `Operation` comes from `@grpc-calculator/proto` and is re-exported here.
 */
export { createCalculatorClient, type CalculatorClient, type CalculatorClientOptions } from "./client.js";
export {
  CalculatorError,
  isCalculatorError,
  type CalculatorErrorOptions,
  type StatusName,
} from "./calculator-error.js";
export { type CalculateRequest, type OperationName, operationNames } from "./operation.js";
export {
  type CalculatorTarget,
  DEFAULT_PLAINTEXT_PORT,
  isLoopbackHost,
  parseTarget,
  type ParseTargetOptions,
} from "./target.js";
export type { CallOptions } from "./private/call.js";
export type { AuthOption, TokenSource } from "./private/auth.js";
export type { ConnectionOptions } from "./private/connection.js";
export { Operation } from "@grpc-calculator/proto";

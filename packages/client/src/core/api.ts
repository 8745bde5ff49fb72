/**
 * What both entries (`@grpc-calculator/client` for Node, `./web` for browsers and edge runtimes) export
 * alike: the one client type, its errors, requests and call options. Each entry adds its own
 * `createCalculatorClient` and options.
 */
export type { CalculatorClient, ClientDefaults } from "./client.js";
export {
  CalculatorError,
  isCalculatorError,
  type CalculatorErrorOptions,
  type StatusDetail,
  type StatusName,
} from "./calculator-error.js";
export type { BadRequest_FieldViolation as FieldViolation, ErrorInfo } from "@grpc-calculator/proto/errors";
export { type CalculateRequest, type OperationName, operationNames } from "./operation.js";
export { formatFloat32 } from "./float32.js";
export type { CalculatorTarget } from "./target.js";
export type { CallMetadata, CallOptions, GrpcMetadataLike } from "./call-options.js";
export type { TokenSource } from "./token.js";
export { Operation } from "@grpc-calculator/proto/messages";

/**
 * The calculator's wire contract, generated from proto/calculator.proto by ts-proto.
 *
 * - Messages (`BinaryOperation`, `CalculationResult`) with `encode`/`decode`/`fromJSON`/`toJSON`.
 * - `Operation`, its names and `operationToJSON`/`operationFromJSON`.
 * - `CalculatorService` (the grpc-js service definition) and `CalculatorClient` (its client constructor).
 * - `fileDescriptorSet`: the binary FileDescriptorSet, for server reflection.
 *
 * The .proto itself is published as `@grpc-calculator/proto/calculator.proto`.
 */
export * from "./gen/calculator.js";
export { fileDescriptorSet } from "./gen/descriptor-set.js";

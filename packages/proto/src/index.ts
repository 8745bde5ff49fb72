/**
 * The calculator's wire contract, generated from proto/calculator.proto by ts-proto.
 *
 * - Messages (`BinaryOperation`, `CalculationResult`) with `encode`/`decode`/`fromJSON`/`toJSON`.
 * - `Operation`, its names and `operationToJSON`/`operationFromJSON`.
 * - `CalculatorService` (the grpc-js service definition) and `CalculatorClient` (its client constructor);
 *   `CalculatorDefinition`, ts-proto's generic definition of the same service (its message codecs).
 * - `fileDescriptorSet`: the binary FileDescriptorSet, for server reflection.
 * - google.rpc's `Status` and the error details the contract's errors carry (`ErrorInfo`, `BadRequest`) with
 *   every codec, for servers to encode them (`./errors` has every error detail with `decode` alone, for clients).
 *
 * Subpaths: `./messages` (the messages and enum alone, no @grpc/grpc-js: for browsers), `./errors`
 * (google.rpc's error details, decoders alone), `./protobuf-es`
 * (protobuf-es descriptors, for Connect), `./health` (grpc.health.v1 codecs and grpc-js service).
 * The .proto files are published as `@grpc-calculator/proto/calculator.proto` and `./health.proto`.
 */
export * from "./messages.js";
// Only the service symbols of the grpc-js generation: its copy of the messages stays internal, so every
// type above has one declaration.
export {
  CalculatorClient,
  CalculatorDefinition,
  CalculatorService,
  type CalculatorServer,
} from "./gen/grpc-js/calculator.js";
export { fileDescriptorSet } from "./gen/descriptor-set.js";
// google.rpc's Status and the details the contract's errors carry, with every codec: what a server encodes them with.
export { Status } from "./gen/google/rpc/status.js";
export { BadRequest, ErrorInfo } from "./gen/google/rpc/error_details.js";

/**
 * `@grpc-calculator/proto/messages`: the contract's types, codecs and `Operation` enum (ts-proto), and its
 * documented limits (`MAX_REQUEST_MESSAGE_BYTES`), with no RPC library, so a browser bundle can take them without @grpc/grpc-js. The package root re-exports all of it.
 */
import { Operation } from "./gen/calculator.js";

export * from "./gen/calculator.js";
export { MAX_REQUEST_MESSAGE_BYTES } from "./limits.js";

/**
 * Every value calculator.proto declares for `Operation`, in its order: the one list of operations that
 * servers, clients, tools and tests take (ts-proto's `UNRECOGNIZED`, its stand-in for any other number,
 * is not one).
 */
export const operations: readonly Operation[] = Object.values(Operation).filter(
  (value): value is Operation => typeof value === "number" && value !== Operation.UNRECOGNIZED,
);

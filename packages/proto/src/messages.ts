/**
 * `@grpc-calculator/proto/messages`: the contract's types, codecs and `Operation` enum (ts-proto), with no
 * RPC library, so a browser bundle can take them without @grpc/grpc-js. The package root re-exports all of it.
 */
export * from "./gen/calculator.js";

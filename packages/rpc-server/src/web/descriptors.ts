/**
 * The contract as connect-es and protobuf-es need it: service and message descriptors built at run
 * time from the descriptor set that `buf build` wrote for packages/proto (no second code generator),
 * and the JSON options every web path reads and writes with.
 */
import { createFileRegistry, fromBinary, type JsonReadOptions, type JsonWriteOptions } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { fileDescriptorSet } from "@grpc-calculator/proto";
import { CALCULATE } from "../service/methods.js";

const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, fileDescriptorSet));

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`calculator.proto's descriptor set has no ${what}`);
  return value;
}

export const calculatorService = required(registry.getService(CALCULATE.service), `service ${CALCULATE.service}`);
export const calculateMethod = required(
  calculatorService.methods.find((method) => method.name === CALCULATE.name),
  `method ${CALCULATE.path}`,
);

/**
 * proto3 JSON, strictly: a field or enum name the contract does not have is INVALID_ARGUMENT, never
 * silently dropped (connect-es ignores unknown fields by default, which would turn
 * `"operation": "POWER"` into ADD). Zero values are written (`{"result":0}`, not `{}`): clearer for
 * `curl` users, and equal in meaning to any proto3 JSON reader.
 */
export const JSON_OPTIONS: Partial<JsonReadOptions & JsonWriteOptions> = {
  ignoreUnknownFields: false,
  alwaysEmitImplicit: true,
};

/** The contract's operations, read from the generated enum so that a new one is fuzzed and checked with no edit here. */
import { Operation } from "@grpc-calculator/proto";

/** Every value of `Operation` in the proto's order; `UNRECOGNIZED` (-1) is ts-proto's marker for "none of them". */
export const knownOperations: readonly Operation[] = Object.values(Operation).filter(
  (value): value is Operation => typeof value === "number" && value !== Operation.UNRECOGNIZED,
);

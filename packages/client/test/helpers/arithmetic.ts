import { type OperationName, operationNames } from "../../src/index.js";

/**
 * What each operation answers, written out by hand: the expectation side of tests that cycle through the
 * contract's operations. The operations themselves come from the generated enum (`operationNames`); a new
 * one fails the type check here until its arithmetic is added.
 */
export const arithmetic: Record<OperationName, (a: number, b: number) => number> = {
  ADD: (a, b) => a + b,
  SUBTRACT: (a, b) => a - b,
  MULTIPLY: (a, b) => a * b,
  DIVIDE: (a, b) => a / b,
};

/** The contract's operation number `i` modulo their count, by name: for tests that cycle through them. */
export const nthOperation = (i: number): OperationName => operationNames[i % operationNames.length] ?? "ADD";

import {
  Operation,
  operationFromJSON,
  operations,
  operationToJSON,
  type BinaryOperation,
} from "@grpc-calculator/proto/messages";
import { CalculatorError } from "./calculator-error.js";
import { statusCode } from "./status.js";

/** The names of `Operation` as calculator.proto declares them: `"ADD" | "SUBTRACT" | "MULTIPLY" | "DIVIDE"`. */
export type OperationName = Exclude<keyof typeof Operation, "UNRECOGNIZED">;

/** Every operation name, in the proto's order (derived from the generated enum). */
export const operationNames: readonly OperationName[] = operations.map(
  (value) => operationToJSON(value) as OperationName,
);

/** One calculation: `firstOperand <operation> secondOperand`. */
export interface CalculateRequest {
  readonly firstOperand: number;
  readonly secondOperand: number;
  /** The `Operation` enum value or its name. */
  readonly operation: Operation | OperationName;
}

/**
 * The SDK's input rules, its only statement of them: what it checks before the network so that mistakes it
 * can see fail at once, with the status the server would give (INVALID_ARGUMENT), and a request it cannot
 * encode faithfully is never sent. An operand must be a number (a string would be coerced on encoding),
 * finite (calculator.proto's rule for operands) and within float32's range (the wire type: a larger value
 * would reach the server as Infinity); the operation must be a value or name of the generated `Operation`
 * enum. Rules that depend on the operation (division by zero, a result outside float32) are the server's
 * alone. See "Input rules" in the README for why the client keeps these.
 */
export function toBinaryOperation(request: CalculateRequest): BinaryOperation {
  const invalid = (why: string) => new CalculatorError(statusCode("INVALID_ARGUMENT"), why);
  if (typeof request !== "object" || request === null)
    throw invalid("expected { firstOperand, secondOperand, operation }");
  const firstOperand = checkOperand("firstOperand", request.firstOperand, invalid);
  const secondOperand = checkOperand("secondOperand", request.secondOperand, invalid);
  const operation = operationFromJSON(request.operation);
  if (operation === Operation.UNRECOGNIZED) {
    throw invalid(
      `unknown operation ${JSON.stringify(request.operation)}; expected one of ${operationNames.join(", ")}`,
    );
  }
  return { firstOperand, secondOperand, operation };
}

/** Why the number `value` cannot be sent as an operand (see {@link toBinaryOperation}), or undefined when it can. */
export function operandProblem(value: number): string | undefined {
  if (!Number.isFinite(value)) return `must be finite, got ${value}`;
  if (!Number.isFinite(Math.fround(value))) return `is outside the float32 range of the wire, got ${value}`;
  return undefined;
}

function checkOperand(name: string, value: unknown, invalid: (why: string) => CalculatorError): number {
  if (typeof value !== "number") throw invalid(`${name} must be a number, got ${typeof value}`);
  const problem = operandProblem(value);
  if (problem !== undefined) throw invalid(`${name} ${problem}`);
  return value;
}

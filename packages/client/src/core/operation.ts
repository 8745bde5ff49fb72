import { Operation, operationFromJSON, operationToJSON, type BinaryOperation } from "@grpc-calculator/proto/messages";
import { CalculatorError } from "./calculator-error.js";
import { statusCode } from "./status.js";

/** The names of `Operation` as calculator.proto declares them: `"ADD" | "SUBTRACT" | "MULTIPLY" | "DIVIDE"`. */
export type OperationName = Exclude<keyof typeof Operation, "UNRECOGNIZED">;

/** Every operation name, in the proto's order (derived from the generated enum). */
export const operationNames: readonly OperationName[] = Object.values(Operation)
  .filter((value): value is Operation => typeof value === "number" && value !== Operation.UNRECOGNIZED)
  .map((value) => operationToJSON(value) as OperationName);

/** One calculation: `firstOperand <operation> secondOperand`. */
export interface CalculateRequest {
  readonly firstOperand: number;
  readonly secondOperand: number;
  /** The `Operation` enum value or its name. */
  readonly operation: Operation | OperationName;
}

/**
 * Checks a request the way the server would and converts it to the wire message, so that mistakes the
 * client can see fail before the network: operands must be finite numbers representable in float32
 * (the wire type; a larger value would silently become Infinity), the operation a known value or name.
 * `index` (for `calculateMany`) prefixes the message like the server's "operation N: ...".
 */
export function toBinaryOperation(request: CalculateRequest, index?: number): BinaryOperation {
  const invalid = (why: string) =>
    new CalculatorError(statusCode("INVALID_ARGUMENT"), index === undefined ? why : `operation ${index}: ${why}`, {
      index,
    });
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

function checkOperand(name: string, value: unknown, invalid: (why: string) => CalculatorError): number {
  if (typeof value !== "number") throw invalid(`${name} must be a number, got ${typeof value}`);
  if (!Number.isFinite(value)) throw invalid(`${name} must be finite, got ${value}`);
  if (!Number.isFinite(Math.fround(value))) throw invalid(`${name} ${value} is outside the float32 range of the wire`);
  return value;
}

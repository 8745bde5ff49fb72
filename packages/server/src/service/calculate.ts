/**
 * The calculator's arithmetic, as a pure function with no gRPC in it: the unary and streaming
 * handlers share it, and property tests drive it directly.
 *
 * The wire type is float32. Operands are taken as float32 values (rounded to the nearest float32 if
 * they are not, as JSON-carried numbers may be), widened to double; the operation is computed in
 * double precision and the answer is the float32 nearest to that double
 * (`Math.fround`: round to nearest, ties to even), which is what the response field carries.
 */
import { status } from "@grpc/grpc-js";
import { Operation, operations, operationToJSON } from "@grpc-calculator/proto";

/** A successful calculation: `result` is a finite float32 value. */
export interface CalculationSuccess {
  readonly ok: true;
  readonly result: number;
}

/** Why a calculation was rejected: the stable `reason` of its google.rpc.ErrorInfo (calculator.proto's header). */
export type CalculationFailureReason =
  "OPERAND_NOT_FINITE" | "DIVISION_BY_ZERO" | "UNKNOWN_OPERATION" | "RESULT_OUT_OF_RANGE";

/**
 * A rejected calculation: the gRPC status to answer with, a message naming the offending value, why, and
 * for INVALID_ARGUMENT the request field at fault (by its name in calculator.proto).
 */
export interface CalculationFailure {
  readonly ok: false;
  readonly code: status.INVALID_ARGUMENT | status.OUT_OF_RANGE;
  readonly message: string;
  readonly reason: CalculationFailureReason;
  readonly field?: "first_operand" | "second_operand" | "operation";
}

export type CalculationOutcome = CalculationSuccess | CalculationFailure;

/** The largest finite float32, 3.4028234663852886e38. */
export const FLOAT32_MAX = 3.4028234663852886e38;

const KNOWN_OPERATIONS = operations.map((value) => `${operationToJSON(value)}=${value}`).join(", ");

function invalid(
  reason: CalculationFailureReason,
  field: NonNullable<CalculationFailure["field"]>,
  message: string,
): CalculationFailure {
  return { ok: false, code: status.INVALID_ARGUMENT, message, reason, field };
}

function checkOperand(field: "first_operand" | "second_operand", value: number): CalculationFailure | undefined {
  if (Number.isFinite(value)) return undefined;
  return invalid("OPERAND_NOT_FINITE", field, `${field} is ${String(value)}; operands must be finite numbers`);
}

/**
 * Applies `operation` to the two operands. Never throws: every input maps to a finite float32
 * result or to a failure with the status the contract documents (see calculator.proto).
 *
 * - `operation` not a value of `Operation` (e.g. 7) → INVALID_ARGUMENT;
 * - an operand NaN or ±Infinity → INVALID_ARGUMENT;
 * - DIVIDE by zero (either sign) → INVALID_ARGUMENT;
 * - a result that is not finite in float32 (e.g. 3e38 + 3e38) → OUT_OF_RANGE.
 */
export function calculate(first: number, second: number, operation: number): CalculationOutcome {
  // The operands are float32 on the wire. A binary decoder hands them over as float32 values already;
  // a proto3 JSON parser may not (JSON numbers are doubles), so every protocol computes alike.
  const firstOperand = Math.fround(first);
  const secondOperand = Math.fround(second);
  const badOperand = checkOperand("first_operand", firstOperand) ?? checkOperand("second_operand", secondOperand);
  if (badOperand !== undefined) return badOperand;
  let exact: number;
  switch (operation as Operation) {
    case Operation.ADD:
      exact = firstOperand + secondOperand;
      break;
    case Operation.SUBTRACT:
      exact = firstOperand - secondOperand;
      break;
    case Operation.MULTIPLY:
      exact = firstOperand * secondOperand;
      break;
    case Operation.DIVIDE:
      if (secondOperand === 0) {
        const zero = Object.is(secondOperand, -0) ? "-0" : "0";
        return invalid("DIVISION_BY_ZERO", "second_operand", `division by zero: second_operand is ${zero}`);
      }
      exact = firstOperand / secondOperand;
      break;
    default:
      return invalid(
        "UNKNOWN_OPERATION",
        "operation",
        `operation ${String(operation)} is not a known Operation (${KNOWN_OPERATIONS})`,
      );
  }
  const result = Math.fround(exact);
  if (!Number.isFinite(result)) {
    return {
      ok: false,
      code: status.OUT_OF_RANGE,
      reason: "RESULT_OUT_OF_RANGE",
      message:
        `${operationToJSON(operation)} of ${firstOperand} and ${secondOperand} is ${exact}, ` +
        `outside the float32 range (±${FLOAT32_MAX})`,
    };
  }
  return { ok: true, result };
}

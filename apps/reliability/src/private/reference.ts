/**
 * An independent statement of the calculator's documented rule (calculator.proto's header), used as the
 * oracle for the property tests and the fuzzer: compute in double, answer Math.fround of it; NaN/±Infinity
 * operands, unknown operations and division by zero are INVALID_ARGUMENT; a result that is not finite in
 * float32 is OUT_OF_RANGE.
 */
import { status } from "@grpc/grpc-js";
import { Operation } from "@grpc-calculator/proto";

export type Expected = { readonly ok: true; readonly result: number } | { readonly ok: false; readonly code: status };

export function expectedOutcome(first: number, second: number, operation: number): Expected {
  if (!Number.isFinite(first) || !Number.isFinite(second)) return { ok: false, code: status.INVALID_ARGUMENT };
  let exact: number | undefined;
  switch (operation as Operation) {
    case Operation.ADD:
      exact = first + second;
      break;
    case Operation.SUBTRACT:
      exact = first - second;
      break;
    case Operation.MULTIPLY:
      exact = first * second;
      break;
    case Operation.DIVIDE:
      exact = second === 0 ? undefined : first / second;
      break;
    default:
      exact = undefined; // not a value of Operation
  }
  if (exact === undefined) return { ok: false, code: status.INVALID_ARGUMENT };
  const result = Math.fround(exact);
  return Number.isFinite(result) ? { ok: true, result } : { ok: false, code: status.OUT_OF_RANGE };
}

/**
 * The Calculator service, written once: each method as a function of the decoded request and the
 * call's context. Every transport (src/protocol-*) reaches it through the pipeline
 * (src/pipeline/pipeline.ts); none of them computes anything itself.
 */
import type { BinaryOperation, CalculationResult } from "@grpc-calculator/proto";
import type { CallContext } from "../pipeline/call-context.js";
import { CallError } from "../pipeline/call-error.js";
import type { StreamSession } from "../pipeline/middleware.js";
import { calculate } from "./calculate.js";

export interface CalculatorImplementation {
  /** `Calculate`: one operation. Throws CallError with the status the contract names. */
  calculate(request: BinaryOperation, context: CallContext): CalculationResult;
  /**
   * `CalculateStream`: a session answering each request in order. The first invalid request (one
   * that breaks the arithmetic's rules, or one that could not be read) ends the call with its status
   * and a message that starts with its zero-based index, as calculator.proto says.
   */
  calculateStream(context: CallContext): StreamSession<BinaryOperation, CalculationResult>;
}

function compute(request: BinaryOperation): CalculationResult | CallError {
  const outcome = calculate(request.firstOperand, request.secondOperand, request.operation);
  return outcome.ok ? { result: outcome.result } : new CallError(outcome.code, outcome.message);
}

export const calculator: CalculatorImplementation = {
  calculate(request) {
    const answer = compute(request);
    if (answer instanceof CallError) throw answer;
    return answer;
  },

  calculateStream() {
    let index = 0;
    return {
      next(request) {
        const answer = request instanceof CallError ? request : compute(request);
        if (answer instanceof CallError) throw new CallError(answer.code, `operation ${index}: ${answer.message}`);
        index += 1;
        return answer;
      },
      end() {},
    };
  },
};

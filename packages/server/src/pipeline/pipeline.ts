/**
 * The pipeline every call passes through, whatever protocol carried it: the Calculator
 * implementation inside the middleware, composed once at start. Transports call these two handlers
 * and nothing else.
 */
import type { BinaryOperation, CalculationResult } from "@grpc-calculator/proto";
import type { CalculatorImplementation } from "../service/calculator.js";
import { CallError } from "./call-error.js";
import { applyStream, applyUnary, type Middleware, type StreamHandler, type UnaryHandler } from "./middleware.js";

export interface CalculatorPipeline {
  readonly calculate: UnaryHandler<BinaryOperation, CalculationResult>;
  readonly calculateStream: StreamHandler<BinaryOperation, CalculationResult>;
}

export function createCalculatorPipeline(
  implementation: CalculatorImplementation,
  middleware: readonly Middleware[],
): CalculatorPipeline {
  const calculate: UnaryHandler<BinaryOperation, CalculationResult> = (request, context) => {
    // A request the transport could not read ends here, after the middleware has seen it.
    if (request instanceof CallError) throw request;
    return implementation.calculate(request, context);
  };
  return {
    calculate: applyUnary(calculate, middleware),
    calculateStream: applyStream((context) => implementation.calculateStream(context), middleware),
  };
}

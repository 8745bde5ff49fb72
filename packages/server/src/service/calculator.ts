/**
 * The Calculator service, written once: each method as a function of the decoded request and the
 * call's context, served by the RPC engine (@grpc-calculator/rpc-server) on every protocol. None of
 * the engine's transports computes anything itself.
 */
import {
  defineService,
  eachRequest,
  type ServiceImplementation,
  type ServiceRegistration,
} from "@grpc-calculator/rpc-server";
import {
  CalculatorDefinition,
  CalculatorService,
  fileDescriptorSet,
  type BinaryOperation,
  type CalculationResult,
} from "@grpc-calculator/proto";
import { calculate } from "./calculate.js";
import { calculationError, unreadableRequest } from "./calculation-error.js";

/**
 * One operation's answer, or the CallError with the status and details the contract names. In a
 * `CalculateStream` (`index` given), the first invalid request — one that breaks the arithmetic's rules,
 * or one that could not be read — ends the call with its status, its index first in the message and in
 * the details (calculator.proto).
 */
function compute(request: BinaryOperation, index?: number): CalculationResult {
  const outcome = calculate(request.firstOperand, request.secondOperand, request.operation);
  if (!outcome.ok) throw calculationError(request, outcome, index);
  return { result: outcome.result };
}

export const calculator: ServiceImplementation<typeof CalculatorService> = {
  calculate: (request) => compute(request),
  calculateStream: eachRequest((request: BinaryOperation, index) => compute(request, index), {
    requestError: unreadableRequest,
  }),
};

/** The Calculator as the engine serves it. */
export const calculatorService: ServiceRegistration = defineService(CalculatorService, calculator, {
  descriptorSet: fileDescriptorSet,
  messages: CalculatorDefinition,
});

/**
 * The Calculator service, written once: each method as a function of the decoded request and the
 * call's context, served by the RPC engine (@grpc-calculator/rpc-server) on every protocol. None of
 * the engine's transports computes anything itself.
 */
import {
  CallError,
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

/** One operation's answer, or the CallError with the status the contract names. */
function compute(request: BinaryOperation): CalculationResult {
  const outcome = calculate(request.firstOperand, request.secondOperand, request.operation);
  if (!outcome.ok) throw new CallError(outcome.code, outcome.message);
  return { result: outcome.result };
}

/**
 * `CalculateStream`'s rule (calculator.proto): the first invalid request — one that breaks the
 * arithmetic's rules, or one that could not be read — ends the call with its status and a message
 * that starts with its zero-based index.
 */
const atIndex = (error: CallError, index: number): CallError =>
  new CallError(error.code, `operation ${index}: ${error.message}`);

export const calculator: ServiceImplementation<typeof CalculatorService> = {
  calculate: (request) => compute(request),
  calculateStream: eachRequest(
    (request: BinaryOperation, index) => {
      try {
        return compute(request);
      } catch (error) {
        throw error instanceof CallError ? atIndex(error, index) : error;
      }
    },
    { requestError: atIndex },
  ),
};

/** The Calculator as the engine serves it. */
export const calculatorService: ServiceRegistration = defineService(CalculatorService, calculator, {
  descriptorSet: fileDescriptorSet,
  messages: CalculatorDefinition,
});

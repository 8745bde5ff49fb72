/**
 * The Calculator service's grpc-js handlers: unary `Calculate` and bidi `CalculateStream`, both on
 * the pure `calculate` core. Nothing is logged or allocated per call unless the level asks for it.
 */
import type { Metadata, sendUnaryData, ServerDuplexStream, ServerUnaryCall } from "@grpc/grpc-js";
import {
  CalculatorService,
  operationToJSON,
  type BinaryOperation,
  type CalculationResult,
  type CalculatorServer,
} from "@grpc-calculator/proto";
import { calculate } from "./calculate.js";
import { traceFields, type Logger } from "./logger.js";

const CALCULATE = CalculatorService.calculate.path;
const CALCULATE_STREAM = CalculatorService.calculateStream.path;

export interface CalculatorHandlerOptions {
  readonly logger: Logger;
  readonly googleCloudProject: string | undefined;
}

/** A request as log lines show it: operands and the operation's name. */
export function describeRequest(request: BinaryOperation): Record<string, unknown> {
  return {
    firstOperand: request.firstOperand,
    secondOperand: request.secondOperand,
    operation: operationToJSON(request.operation),
  };
}

export function calculatorHandlers({ logger, googleCloudProject }: CalculatorHandlerOptions): CalculatorServer {
  // The level is fixed for the server's life: decide once whether per-call lines are built at all.
  const debug = logger.isLevelEnabled("debug");
  const warn = logger.isLevelEnabled("warn");
  const fields = (metadata: Metadata, method: string) => ({ method, ...traceFields(metadata, googleCloudProject) });

  return {
    calculate(call: ServerUnaryCall<BinaryOperation, CalculationResult>, callback: sendUnaryData<CalculationResult>) {
      const request = call.request;
      const outcome = calculate(request.firstOperand, request.secondOperand, request.operation);
      if (outcome.ok) {
        if (debug)
          logger.debug(
            { ...fields(call.metadata, CALCULATE), request: describeRequest(request), result: outcome.result },
            "calculated",
          );
        callback(null, { result: outcome.result });
      } else {
        if (warn)
          logger.warn(
            { ...fields(call.metadata, CALCULATE), request: describeRequest(request), code: outcome.code },
            outcome.message,
          );
        callback({ code: outcome.code, details: outcome.message });
      }
    },

    calculateStream(call: ServerDuplexStream<BinaryOperation, CalculationResult>) {
      let index = 0;
      let finished = false;
      const resume = () => call.resume();
      call.on("data", (request: BinaryOperation) => {
        if (finished) return;
        const outcome = calculate(request.firstOperand, request.secondOperand, request.operation);
        if (!outcome.ok) {
          finished = true;
          const details = `operation ${index}: ${outcome.message}`;
          if (warn)
            logger.warn(
              {
                ...fields(call.metadata, CALCULATE_STREAM),
                index,
                request: describeRequest(request),
                code: outcome.code,
              },
              details,
            );
          // grpc-js turns an 'error' on a server stream into the call's status, after the results already written.
          call.emit("error", { code: outcome.code, details });
          return;
        }
        index += 1;
        // Backpressure: stop reading requests while the client is not reading results.
        if (!call.write({ result: outcome.result })) {
          call.pause();
          call.once("drain", resume);
        }
      });
      call.on("end", () => {
        if (finished) return;
        finished = true;
        if (debug) logger.debug({ ...fields(call.metadata, CALCULATE_STREAM), operations: index }, "stream calculated");
        call.end();
      });
      call.on("cancelled", () => {
        finished = true;
      });
    },
  };
}

/**
 * The Calculator's grpc-js handlers: what grpc-js serves itself (compressed calls, unusual headers,
 * and every call when the protocol router cannot engage) goes through the same pipeline as the
 * direct path. grpc-js has decoded the request and will encode the answer; these adapt its call
 * objects to the pipeline's shape.
 */
import { status, type sendUnaryData, type ServerDuplexStream, type ServerUnaryCall } from "@grpc/grpc-js";
import type { BinaryOperation, CalculationResult, CalculatorServer } from "@grpc-calculator/proto";
import { TransportCallContext, type MethodInfo } from "../pipeline/call-context.js";
import { CallError, toCallError } from "../pipeline/call-error.js";
import type { CalculatorPipeline } from "../pipeline/pipeline.js";
import { CALCULATE, CALCULATE_STREAM } from "../service/methods.js";

type AnyCall =
  ServerUnaryCall<BinaryOperation, CalculationResult> | ServerDuplexStream<BinaryOperation, CalculationResult>;

function contextOf(call: AnyCall, method: MethodInfo): TransportCallContext {
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  const context = new TransportCallContext(
    method,
    "grpc",
    "grpc-js",
    "2",
    (name) => {
      const value = call.metadata.get(name)[0];
      // Binary metadata (`-bin` keys, e.g. grpc-trace-bin) as it travels in HTTP/2 headers: base64.
      return typeof value === "string" ? value : value?.toString("base64");
    },
    () => call.getPeer(),
    Number.isFinite(ms) ? Math.max(0, ms - Date.now()) : Number.POSITIVE_INFINITY,
  );
  call.once("cancelled", () => context.abort(new CallError(status.CANCELLED, "the call was cancelled")));
  return context;
}

/** grpc-js sends `{ code, details }` as the call's status. */
function grpcStatus(error: unknown): { code: status; details: string } {
  const callError = toCallError(error);
  return { code: callError.code, details: callError.message };
}

export function calculatorHandlers(pipeline: CalculatorPipeline): CalculatorServer {
  return {
    calculate(call: ServerUnaryCall<BinaryOperation, CalculationResult>, callback: sendUnaryData<CalculationResult>) {
      let response: CalculationResult;
      try {
        response = pipeline.calculate(call.request, contextOf(call, CALCULATE));
      } catch (error) {
        callback(grpcStatus(error));
        return;
      }
      callback(null, response);
    },

    calculateStream(call: ServerDuplexStream<BinaryOperation, CalculationResult>) {
      const session = pipeline.calculateStream(contextOf(call, CALCULATE_STREAM));
      let finished = false;
      const finish = (error: CallError | undefined): void => {
        if (finished) return;
        finished = true;
        session.end(error);
        // grpc-js turns an 'error' on a server stream into the call's status, after the results already written.
        if (error === undefined) call.end();
        else call.emit("error", grpcStatus(error));
      };
      const resume = () => call.resume();
      call.on("data", (request: BinaryOperation) => {
        if (finished) return;
        let response: CalculationResult;
        try {
          response = session.next(request);
        } catch (error) {
          finish(toCallError(error));
          return;
        }
        // Backpressure: stop reading requests while the client is not reading results.
        if (!call.write(response)) {
          call.pause();
          call.once("drain", resume);
        }
      });
      call.on("end", () => finish(undefined));
      call.on("cancelled", () => {
        if (finished) return;
        finished = true;
        session.end(new CallError(status.CANCELLED, "the call was cancelled"));
      });
    },
  };
}

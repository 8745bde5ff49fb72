import { CalculatorError } from "./calculator-error.js";

/** `error` as the failure of the operation at `index`, with `message`. */
export const atIndex = (error: CalculatorError, message: string, index: number): CalculatorError =>
  new CalculatorError(error.code, message, {
    cause: error.cause,
    metadata: error.metadata,
    index,
    statusDetails: error.statusDetails,
    errorInfo: error.errorInfo,
    fieldViolations: error.fieldViolations,
  });

/**
 * The operation a failed `calculateMany` stopped at, in both entries: the index the error already has — the
 * one the server's details name (calculator.proto, `CalculateStream`: the ErrorInfo's `requestIndex`, read by
 * the stream's transport), or the unary call's of a batch. Without one — a failure that is not one request's
 * (a deadline, a lost connection), or a server that sends no details — the contract's order decides: it
 * answers a stream's requests in order and sends the results before a failing request ahead of its status,
 * so the index is the count of results received, the first operation left without a result. No message is read.
 */
export function failedAt(error: CalculatorError, resultsReceived: number): CalculatorError {
  return error.index === undefined ? atIndex(error, error.details, resultsReceived) : error;
}

/**
 * The failure of one operation that no stream reported (a unary call of a batch, an input the client
 * rejected itself), written as the contract's stream writes it: the message starts "operation N: ".
 */
export function operationFailed(error: CalculatorError, index: number): CalculatorError {
  return atIndex(error, `operation ${index}: ${error.details}`, index);
}

import { CalculatorError } from "./calculator-error.js";

/**
 * The operation a failed `calculateMany` stopped at, in both entries. The contract answers a stream's
 * requests in order and sends the results before a failing request ahead of its status (calculator.proto,
 * `CalculateStream`), so the failing request is the one after the results received: its index is their
 * count. No message is read. For a failure that is not one request's (a deadline, a lost connection) it is
 * the first operation left without a result.
 */
export function failedAt(error: CalculatorError, resultsReceived: number): CalculatorError {
  if (error.index === resultsReceived) return error;
  return new CalculatorError(error.code, error.details, {
    cause: error.cause,
    metadata: error.metadata,
    index: resultsReceived,
  });
}

/**
 * The failure of one operation that no stream reported (a unary call of a batch, an input the client
 * rejected itself), written as the contract's stream writes it: the message starts "operation N: ".
 */
export function operationFailed(error: CalculatorError, index: number): CalculatorError {
  return new CalculatorError(error.code, `operation ${index}: ${error.details}`, {
    cause: error.cause,
    metadata: error.metadata,
    index,
  });
}

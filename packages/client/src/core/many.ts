import type { BinaryOperation } from "@grpc-calculator/proto/messages";
import { type CalculatorError, isCalculatorError } from "./calculator-error.js";
import { type CalculateRequest, toBinaryOperation } from "./operation.js";
import { failedAt, operationFailed } from "./stream-failure.js";

/**
 * `calculateMany` over whichever way the runtime carries the operations (`carry`: one stream call, or unary
 * calls in batches), the same in both entries: the inputs are checked lazily, one at a time, as `carry`
 * reads them; an input the client rejects ends the requests (so the results before it still arrive) and
 * then fails the iteration with the operation's index; an exception of the input is rethrown as it is; any
 * other failure gets the index of the operation it stopped at, counted from the results received
 * ({@link failedAt}). An abort through `signal`, and a failure before the call read any input (a closed
 * client), are reported as they are.
 */
export async function* calculateOperations(
  inputs: Iterable<CalculateRequest> | AsyncIterable<CalculateRequest>,
  carry: (requests: AsyncIterable<BinaryOperation>) => AsyncIterable<number>,
  signal: AbortSignal | undefined,
): AsyncGenerator<number, void, undefined> {
  let started = false; // the call has begun to read the inputs
  let rejected: CalculatorError | undefined;
  let inputFailure: { error: unknown } | undefined;
  async function* requests(): AsyncGenerator<BinaryOperation, void, undefined> {
    started = true;
    try {
      for await (const input of inputs) {
        let request: BinaryOperation;
        try {
          request = toBinaryOperation(input);
        } catch (error) {
          if (!isCalculatorError(error)) throw error;
          rejected = error;
          return;
        }
        yield request;
      }
    } catch (error) {
      inputFailure = { error };
      throw error;
    }
  }

  let received = 0;
  try {
    for await (const result of carry(requests())) {
      received += 1;
      yield result;
    }
  } catch (error) {
    if (!started || inputFailure?.error === error || signal?.aborted || !isCalculatorError(error)) throw error;
    throw failedAt(error, received);
  }
  if (rejected) throw operationFailed(rejected, received);
}

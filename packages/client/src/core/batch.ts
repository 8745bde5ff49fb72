import type { BinaryOperation } from "@grpc-calculator/proto/messages";
import { CalculatorError, isCalculatorError } from "./calculator-error.js";
import { abortedError } from "./call-options.js";
import { type CalculateRequest, toBinaryOperation } from "./operation.js";
import { statusCode } from "./status.js";

/**
 * Unary calls a batch keeps in flight. Browsers open at most 6 HTTP/1.1 connections per origin, so more
 * would only queue there; over HTTP/2 (Cloud Run's front end) 8 calls share one connection.
 */
export const MAX_CONCURRENT_CALLS = 8;

/**
 * `calculateMany` where requests cannot be streamed (`fetch` has no streaming request bodies in browsers):
 * each operation is one unary `Calculate` call, at most MAX_CONCURRENT_CALLS at a time, results yielded in
 * input order. The contract is the stream's: the input is read lazily (only when a call slot is free and
 * the caller has taken the results before it), the first failure ends the iteration after the results
 * before it with a CalculatorError whose `index` names the operation and whose message starts
 * "operation N: " as the server's stream answer does, an input the client rejects itself fails the same way
 * without being sent, an exception of the input is rethrown as it is, and `break` or the signal cancels
 * the calls in flight. A `deadline` (epoch ms) bounds the whole batch, as a stream's deadline does.
 */
export async function* calculateInBatches(
  calculate: (request: BinaryOperation, signal: AbortSignal) => Promise<number>,
  inputs: Iterable<CalculateRequest> | AsyncIterable<CalculateRequest>,
  signal: AbortSignal | undefined,
  deadline: number | undefined,
): AsyncGenerator<number, void, undefined> {
  if (signal?.aborted) throw abortedError(signal);
  const controller = new AbortController();
  const inFlight: Promise<number>[] = []; // in input order
  let inputEnded = false;
  let stopped = false;
  let failure: { error: unknown } | undefined; // from the input: reported after the results before it
  let interrupt: CalculatorError | undefined; // abort or deadline: reported at once
  // Pump and consumer sleep until the other moves; wake-ups may be spurious, each wait re-checks.
  let waiters: (() => void)[] = [];
  const wake = () => {
    const woken = waiters;
    waiters = [];
    for (const resolve of woken) resolve();
  };
  const changed = () => new Promise<void>((resolve) => waiters.push(resolve));
  const stop = (error: CalculatorError) => {
    interrupt ??= error;
    controller.abort(error);
    wake();
  };
  const onAbort = () => stop(abortedError(signal as AbortSignal));
  signal?.addEventListener("abort", onAbort, { once: true });
  const timer =
    deadline === undefined
      ? undefined
      : setTimeout(
          () => stop(new CalculatorError(statusCode("DEADLINE_EXCEEDED"), "deadline exceeded")),
          Math.max(0, deadline - Date.now()),
        );

  const pump = async () => {
    let index = 0;
    for await (const input of inputs) {
      while (inFlight.length >= MAX_CONCURRENT_CALLS && !stopped) await changed();
      if (stopped) return;
      let message: BinaryOperation;
      try {
        message = toBinaryOperation(input, index);
      } catch (error) {
        failure = { error };
        break;
      }
      const at = index;
      const result = calculate(message, controller.signal).catch((error: unknown) => {
        throw isCalculatorError(error) && !controller.signal.aborted ? withIndex(error, at) : error;
      });
      void result.catch(() => {}); // read in order below; a later call may fail while an earlier one is awaited
      inFlight.push(result);
      index += 1;
      wake();
    }
  };
  void pump().then(
    () => {
      inputEnded = true;
      wake();
    },
    (error: unknown) => {
      failure = { error };
      inputEnded = true;
      wake();
    },
  );

  try {
    for (;;) {
      if (interrupt) throw interrupt;
      const next = inFlight[0];
      if (next !== undefined) {
        let value: number;
        try {
          value = await next;
        } catch (error) {
          throw interrupt ?? error;
        }
        void inFlight.shift(); // the result just read
        wake();
        yield value;
      } else if (inputEnded) {
        if (failure) throw failure.error;
        return;
      } else {
        await changed();
      }
    }
  } finally {
    stopped = true;
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    controller.abort(); // break, return, a failure: cancel whatever is still in flight
    wake();
  }
}

function withIndex(error: CalculatorError, index: number): CalculatorError {
  return new CalculatorError(error.code, `operation ${index}: ${error.details}`, {
    cause: error.cause,
    metadata: error.metadata,
    index,
  });
}

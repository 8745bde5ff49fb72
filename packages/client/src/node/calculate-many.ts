import type { BinaryOperation, CalculationResult } from "@grpc-calculator/proto";
import type { ClientDuplexStream } from "@grpc/grpc-js";
import type { CalculatorError } from "../core/calculator-error.js";
import { abortedError } from "../core/call-options.js";
import { type CalculateRequest, toBinaryOperation } from "../core/operation.js";
import { toCalculatorError } from "./call.js";

type Stream = ClientDuplexStream<BinaryOperation, CalculationResult>;

/**
 * At most this many operations are sent ahead of the results the caller has taken. It bounds how far
 * the input is read ahead (grpc-js acknowledges writes long before they reach the server, so `write()`
 * backpressure alone let a synchronous input run ~100 000 items ahead and starve the event loop), and
 * it is deep enough to keep the connection busy: results are 5 bytes, so 1024 of them fit one HTTP/2
 * window many times over.
 */
export const MAX_IN_FLIGHT = 1024;

/**
 * Runs one `CalculateStream` call: writes the inputs as the call accepts them and yields the results in
 * order. Backpressure both ways: the next input is read only when fewer than MAX_IN_FLIGHT operations
 * are unanswered and `write()` does not ask to wait for `drain` (so an endless or lazy input is read at
 * the pace of the caller), and results are read from the network only as fast as the caller consumes
 * them (grpc-js stops reading the HTTP/2 stream while its buffer is full; the server sees flow control).
 *
 * Errors: the server's status as a CalculatorError whose `index` is the failed operation; an input the
 * client rejects itself ends the call after the results before it, with the same error shape; an
 * exception from the input iterable cancels the call and is rethrown as it is.
 */
export async function* calculateMany(
  open: () => Stream,
  inputs: Iterable<CalculateRequest> | AsyncIterable<CalculateRequest>,
  signal: AbortSignal | undefined,
): AsyncGenerator<number, void, undefined> {
  if (signal?.aborted) throw abortedError(signal);
  const call = open();
  let settled = false; // the call has its final status
  call.on("error", () => {}); // errors are read through the iterator below; never crash on a late one
  const onAbort = () => call.cancel();
  signal?.addEventListener("abort", onAbort, { once: true });

  let rejected: CalculatorError | undefined;
  let inputFailure: { error: unknown } | undefined;
  let sent = 0;
  let taken = 0;
  // The pump sleeps until something it waits for may have changed: a result taken, `drain`, the status.
  // Wake-ups can be spurious; each wait re-checks its condition.
  let wakePump: (() => void) | undefined;
  const wake = () => wakePump?.();
  const nextWake = () => new Promise<void>((resolve) => (wakePump = resolve));
  call.on("drain", wake);
  call.once("status", () => {
    settled = true;
    wake();
  });

  const pump = async () => {
    let index = 0;
    for await (const input of inputs) {
      while (sent - taken >= MAX_IN_FLIGHT && !settled) await nextWake();
      if (settled) return;
      let message: BinaryOperation;
      try {
        message = toBinaryOperation(input, index);
      } catch (error) {
        rejected = error as CalculatorError;
        break;
      }
      sent += 1;
      if (!call.write(message)) while (call.writableNeedDrain && !settled) await nextWake();
      index += 1;
    }
    if (!settled) call.end();
  };
  void pump().catch((error: unknown) => {
    inputFailure = { error };
    call.cancel();
  });

  let ended = false; // the response stream ended, with results or with an error status
  try {
    for await (const response of call as AsyncIterable<CalculationResult>) {
      taken += 1;
      wake();
      yield response.result;
    }
    ended = true;
  } catch (error) {
    ended = true;
    if (inputFailure) throw inputFailure.error;
    if (signal?.aborted) throw abortedError(signal, error);
    throw toCalculatorError(error, { stream: true });
  } finally {
    signal?.removeEventListener("abort", onAbort);
    // The caller stopped early (break, return, throw): end the call rather than leave it open.
    if (!ended && !settled) call.cancel();
  }
  if (inputFailure) throw inputFailure.error;
  if (rejected) throw rejected;
}

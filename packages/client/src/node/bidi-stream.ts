import type { ClientDuplexStream } from "@grpc/grpc-js";
import type { CalculatorError } from "../core/calculator-error.js";
import { abortedError } from "../core/call-options.js";
import { atIndex } from "../core/stream-failure.js";
import { toCalculatorError } from "./call.js";

/**
 * The zero-based index of the request a stream failed at, from the ErrorInfo's `requestIndex` metadata
 * (calculator.proto's `CalculateStream`); undefined when the error carries none.
 */
function requestIndexOf(error: CalculatorError): number | undefined {
  const value = error.errorInfo?.metadata["requestIndex"];
  return value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

/** The call's status as a CalculatorError, with the index of the failed request when the server named it. */
function streamError(error: unknown): CalculatorError {
  const failure = toCalculatorError(error);
  const index = requestIndexOf(failure);
  return index === undefined ? failure : atIndex(failure, failure.details, index);
}

/**
 * At most this many requests are sent ahead of the responses the caller has taken. It bounds how far
 * the input is read ahead (grpc-js acknowledges writes long before they reach the server, so `write()`
 * backpressure alone let a synchronous input run ~100 000 items ahead and starve the event loop), and
 * it is deep enough to keep the connection busy: Calculate's results are 5 bytes, so 1024 of them fit one
 * HTTP/2 window many times over.
 */
export const MAX_IN_FLIGHT = 1024;

/**
 * Runs one bidirectional streaming call: writes the requests as the call accepts them and yields the
 * responses in order. Backpressure both ways: the next request is read only when fewer than MAX_IN_FLIGHT
 * are unanswered and `write()` does not ask to wait for `drain` (so an endless or lazy input is read at the
 * pace of the caller), and responses are read from the network only as fast as the caller consumes them
 * (grpc-js stops reading the HTTP/2 stream while its buffer is full; the server sees flow control).
 *
 * Errors: the call's status as a CalculatorError; an exception of the requests cancels the call and is
 * rethrown as it is; requests that end half-close the call, whose remaining responses are still yielded.
 */
export async function* bidiStream<I, O>(
  open: () => ClientDuplexStream<I, O>,
  requests: AsyncIterable<I>,
  signal: AbortSignal | undefined,
): AsyncGenerator<O, void, undefined> {
  if (signal?.aborted) throw abortedError(signal);
  const call = open();
  let settled = false; // the call has its final status
  call.on("error", () => {}); // errors are read through the iterator below; never crash on a late one
  const onAbort = () => call.cancel();
  signal?.addEventListener("abort", onAbort, { once: true });

  let inputFailure: { error: unknown } | undefined;
  let sent = 0;
  let taken = 0;
  // The pump sleeps until something it waits for may have changed: a response taken, `drain`, the status.
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
    for await (const request of requests) {
      while (sent - taken >= MAX_IN_FLIGHT && !settled) await nextWake();
      if (settled) return;
      sent += 1;
      if (!call.write(request)) while (call.writableNeedDrain && !settled) await nextWake();
    }
    if (!settled) call.end();
  };
  void pump().catch((error: unknown) => {
    inputFailure = { error };
    call.cancel();
  });

  let ended = false; // the response stream ended, with responses or with an error status
  try {
    for await (const response of call as AsyncIterable<O>) {
      taken += 1;
      wake();
      yield response;
    }
    ended = true;
  } catch (error) {
    ended = true;
    if (inputFailure) throw inputFailure.error;
    if (signal?.aborted) throw abortedError(signal, error);
    throw streamError(error);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    // The caller stopped early (break, return, throw): end the call rather than leave it open.
    if (!ended && !settled) call.cancel();
  }
  if (inputFailure) throw inputFailure.error;
}

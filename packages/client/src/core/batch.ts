import { CalculatorError, isCalculatorError } from "./calculator-error.js";
import { abortedError } from "./call-options.js";
import { statusCode } from "./status.js";
import { operationFailed } from "./stream-failure.js";

/**
 * Unary calls a batch keeps in flight. Browsers open at most 6 HTTP/1.1 connections per origin, so more
 * would only queue there; over HTTP/2 (Cloud Run's front end) 8 calls share one connection.
 */
export const MAX_CONCURRENT_CALLS = 8;

/**
 * A stream of requests where requests cannot be streamed (`fetch` has no streaming request bodies in
 * browsers): each request is one unary call, at most MAX_CONCURRENT_CALLS at a time, responses yielded in
 * request order. The contract is the stream's: the requests are read lazily (only when a call slot is free
 * and the caller has taken the responses before it), the first failure ends the iteration after the
 * responses before it with a CalculatorError whose `index` names the request and whose message starts
 * "operation N: " as the server's stream answer does, an exception of the requests is rethrown as it is
 * (after the responses before it), and `break` or the signal cancels the calls in flight. A `deadline`
 * (epoch ms) bounds the whole batch, as a stream's deadline does.
 */
export async function* callInBatches<I, O>(
  call: (request: I, signal: AbortSignal) => Promise<O>,
  requests: AsyncIterable<I>,
  signal: AbortSignal | undefined,
  deadline: number | undefined,
): AsyncGenerator<O, void, undefined> {
  if (signal?.aborted) throw abortedError(signal);
  const controller = new AbortController();
  const inFlight: Promise<O>[] = []; // in request order
  let inputEnded = false;
  let stopped = false;
  let failure: { error: unknown } | undefined; // from the requests: reported after the responses before it
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
    for await (const request of requests) {
      while (inFlight.length >= MAX_CONCURRENT_CALLS && !stopped) await changed();
      if (stopped) return;
      const response = call(request, controller.signal);
      void response.catch(() => {}); // read in order below; a later call may fail while an earlier one is awaited
      inFlight.push(response);
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

  let yielded = 0;
  try {
    for (;;) {
      if (interrupt) throw interrupt;
      const next = inFlight[0];
      if (next !== undefined) {
        let value: O;
        try {
          value = await next;
        } catch (error) {
          // The first failure in request order comes after the responses yielded: its index is their count.
          throw interrupt ?? (isCalculatorError(error) ? operationFailed(error, yielded) : error);
        }
        void inFlight.shift(); // the response just read
        wake();
        yielded += 1;
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

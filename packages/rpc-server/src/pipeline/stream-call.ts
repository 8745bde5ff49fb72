/**
 * Running one streaming call (server, client or bidi streaming), for every transport. The transport
 * pushes what it reads; the handler's responses go to the transport's sink with backpressure both
 * ways; the call ends once, with the handler's outcome, a thrown value mapped to a CallError, or the
 * reason it was aborted (deadline, cancellation), and every observing middleware hears of it once.
 *
 * A handler made by `eachRequest` runs without promises: each request is answered as it is pushed.
 * Any other handler reads the requests as an async iterable (request-queue.ts) and may answer with
 * an iterable or an async iterable.
 */
import type { TransportCallContext } from "../call-context.js";
import { CallError, toCallError } from "../call-error.js";
import { isPromiseLike, type StreamObserver } from "./middleware.js";
import type { StreamPipeline } from "./pipeline.js";
import { RequestQueue, type RequestFlow } from "./request-queue.js";

/** Where a transport takes a streaming call's responses and its end. */
export interface StreamSink {
  /** Sends one response; false when the transport's buffer is full (then wait for `onDrain`). */
  send(response: unknown): boolean;
  /** Calls `listener` once the buffer has room again. */
  onDrain(listener: () => void): void;
  /** Ends the call with its status. Called once. */
  end(error: CallError | undefined): void;
}

/** The transport's side of a running streaming call. */
export interface StreamCall {
  /** A request the transport read, or the CallError that stands for one it could not read (ends the requests). */
  push(request: unknown): void;
  /** The client finished sending. */
  end(): void;
}

function observe(observers: readonly StreamObserver[], event: "request" | "response", message: unknown): void {
  for (const observer of observers) observer[event]?.(message);
}

export function startStream(
  pipeline: StreamPipeline,
  context: TransportCallContext,
  sink: StreamSink,
  flow: RequestFlow,
): StreamCall {
  const observers: StreamObserver[] = [];
  let finished = false;
  const finish = (error: CallError | undefined, thrown?: unknown): void => {
    if (finished) return;
    finished = true;
    context.end();
    for (const observer of observers) observer.end(error, thrown ?? error);
    sink.end(error);
  };
  context.onAbort((reason) => finish(reason));

  // The middleware's observers; a refusal ends the call before the handler starts.
  let starting: PromiseLike<unknown>[] | undefined;
  try {
    for (const layer of pipeline.middleware) {
      const observer = layer.stream?.(context);
      if (isPromiseLike(observer)) {
        (starting ??= []).push(
          observer.then((started) => {
            if (started !== undefined) observers.push(started);
          }),
        );
      } else if (observer !== undefined) {
        observers.push(observer);
      }
    }
  } catch (error) {
    finish(toCallError(error), error);
  }

  const each = pipeline.each;
  if (each !== undefined && starting === undefined) {
    let index = 0;
    const resume = () => flow.resume();
    return {
      push(request) {
        if (finished) return;
        if (request instanceof CallError) return finish(each.requestError(request, index));
        if (observers.length > 0) observe(observers, "request", request);
        let response: unknown;
        try {
          response = each.answer(request, index, context);
        } catch (error) {
          return finish(toCallError(error), error);
        }
        index += 1;
        if (observers.length > 0) observe(observers, "response", response);
        if (!sink.send(response)) {
          flow.pause();
          sink.onDrain(resume);
        }
      },
      end: () => finish(undefined),
    };
  }

  const requests = new RequestQueue(flow);
  context.onAbort((reason) => requests.fail(reason));
  const run = (): void => {
    if (finished) return;
    let responses: Iterable<unknown> | AsyncIterable<unknown>;
    try {
      responses = pipeline.call(requests, context);
    } catch (error) {
      return finish(toCallError(error), error);
    }
    pump(responses);
  };
  const fail = (error: unknown): void => finish(toCallError(error), error);
  const pump = (responses: Iterable<unknown> | AsyncIterable<unknown>): void => {
    if (Symbol.asyncIterator in responses) {
      const iterator = responses[Symbol.asyncIterator]();
      const step = (): void => {
        if (finished) return void iterator.return?.()?.then(undefined, () => undefined);
        iterator.next().then((result) => {
          if (finished) return void iterator.return?.()?.then(undefined, () => undefined);
          if (result.done === true) return finish(undefined);
          if (observers.length > 0) observe(observers, "response", result.value);
          if (sink.send(result.value)) step();
          else sink.onDrain(step);
        }, fail);
      };
      step();
      return;
    }
    const iterator = responses[Symbol.iterator]();
    const step = (): void => {
      try {
        for (;;) {
          if (finished) return void iterator.return?.();
          const result = iterator.next();
          if (result.done === true) return finish(undefined);
          if (observers.length > 0) observe(observers, "response", result.value);
          if (!sink.send(result.value)) return sink.onDrain(step);
        }
      } catch (error) {
        fail(error);
      }
    };
    step();
  };
  // Requests that arrive while an async middleware is still starting: its observer hears of them once it is there.
  let early: unknown[] | undefined;
  if (starting === undefined) run();
  else {
    early = [];
    Promise.all(starting).then(() => {
      const arrived = early ?? [];
      early = undefined;
      if (observers.length > 0) for (const request of arrived) observe(observers, "request", request);
      run();
    }, fail);
  }

  return {
    push(request) {
      if (finished) return;
      if (request instanceof CallError) return requests.fail(request);
      if (early !== undefined) early.push(request);
      else if (observers.length > 0) observe(observers, "request", request);
      requests.push(request);
    },
    end: () => requests.end(),
  };
}

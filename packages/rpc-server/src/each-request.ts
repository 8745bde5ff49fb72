/**
 * `eachRequest`: the bidi handler that answers every request with one response, in order — the
 * commonest streaming shape (a batch API, a stream of lookups). It is an ordinary bidi handler
 * (an async generator over the requests) that every path can run; the engine's direct gRPC path
 * also recognizes it and calls `answer` synchronously for each message a DATA frame brings, writing
 * all their responses at once, so a stream of small messages costs no promise per message.
 */
import type { CallContext } from "./call-context.js";
import { CallError } from "./call-error.js";
import type { BidiStreamingHandler } from "./service.js";

/** Answers the request at `index` (zero-based), or throws a CallError that ends the call. */
export type AnswerEach<I, O> = (request: I, index: number, context: CallContext) => O;

export interface EachRequestOptions {
  /**
   * What the call ends with when the request at `index` could not be read (its bytes do not parse,
   * it is too large, the stream ended inside it). Default: `error` as it is.
   */
  readonly requestError?: (error: CallError, index: number) => CallError;
}

/** How the engine runs a handler made by `eachRequest` without promises. */
export interface EachRequest {
  readonly answer: AnswerEach<unknown, unknown>;
  readonly requestError: (error: CallError, index: number) => CallError;
}

const eachRequestOf = Symbol("eachRequest");

export function eachRequest<I, O>(
  answer: AnswerEach<I, O>,
  options: EachRequestOptions = {},
): BidiStreamingHandler<I, O> {
  const requestError = options.requestError ?? ((error: CallError) => error);
  async function* each(requests: AsyncIterable<I>, context: CallContext): AsyncGenerator<O> {
    const iterator = requests[Symbol.asyncIterator]();
    for (let index = 0; ; index++) {
      let next: IteratorResult<I>;
      try {
        next = await iterator.next();
      } catch (error) {
        // A request that could not be read, not the call's end (deadline, cancellation).
        throw error instanceof CallError && !context.signal.aborted ? requestError(error, index) : error;
      }
      if (next.done === true) return;
      yield answer(next.value, index, context);
    }
  }
  const spec: EachRequest = { answer: answer as AnswerEach<unknown, unknown>, requestError };
  return Object.assign(each, { [eachRequestOf]: spec });
}

/** How to run `handler` per request, if `eachRequest` made it. */
export function eachRequestOfHandler(handler: unknown): EachRequest | undefined {
  return typeof handler === "function" ? (handler as { [eachRequestOf]?: EachRequest })[eachRequestOf] : undefined;
}

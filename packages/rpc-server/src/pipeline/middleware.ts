/**
 * Middleware: a cross-cutting concern (logging, tracing, metrics, an authorization check) applied
 * around every call of every method, whatever protocol carried it.
 *
 * A unary call is a function from its request to its response, and a unary middleware wraps it
 * (`next` → a function like it): it may be synchronous or return a promise. The request may be the
 * CallError that stands in for one the transport could not read (bytes that do not decode, a missing
 * or second message, the deadline passing while it was still arriving), so every call passes through
 * the middleware exactly once and a middleware sees failures on the wire like any other failed call.
 *
 * A streaming call is observed instead of wrapped: as it starts, each middleware may return an
 * observer told of every request and response and, once, of how the call ended. Observing keeps the
 * engine free to run a per-message handler without a promise per message (see each-request.ts); a
 * middleware that must decide before a stream starts (an authorization check) returns a promise, or
 * throws a CallError to refuse the call.
 */
import type { CallContext } from "../call-context.js";
import type { CallError } from "../call-error.js";

/** A unary call as middleware sees it: the response, a promise of it, or a thrown CallError. */
export type UnaryCall<I = unknown, O = unknown> = (request: I | CallError, context: CallContext) => O | PromiseLike<O>;

/** What a middleware wants to hear of one streaming call. */
export interface StreamObserver {
  /** A request message was read (before the handler sees it). */
  request?(message: unknown): void;
  /** A response message is being sent. */
  response?(message: unknown): void;
  /** The call ended: without an error when it succeeded, else with the error it ended with. Called once. */
  end(error: CallError | undefined, thrown: unknown): void;
}

export interface Middleware {
  /** Wraps every unary call. Default: none. */
  unary?<I, O>(next: UnaryCall<I, O>): UnaryCall<I, O>;
  /**
   * Called as every streaming call (server, client or bidi streaming) starts. Returns an observer of
   * the call, or nothing; a thrown CallError (or a rejected promise) refuses the call.
   */
  stream?(context: CallContext): StreamObserver | undefined | PromiseLike<StreamObserver | undefined>;
}

/** `call` inside every middleware, the first of `middleware` outermost. */
export function applyUnary<I, O>(call: UnaryCall<I, O>, middleware: readonly Middleware[]): UnaryCall<I, O> {
  return middleware.reduceRight<UnaryCall<I, O>>((next, layer) => layer.unary?.(next) ?? next, call);
}

/**
 * Runs a unary call and tells, once, how it ended — `answered` with the response, or `failed` with
 * what was thrown — whether the call answered at once, threw, or returned a promise; a plain answer
 * costs no promise. What a middleware that observes unary calls (logging, tracing) wraps `next` with.
 */
export function observeUnary<O>(
  call: () => O | PromiseLike<O>,
  answered: (response: O) => void,
  failed: (error: unknown) => void,
): O | PromiseLike<O> {
  let response: O | PromiseLike<O>;
  try {
    response = call();
  } catch (error) {
    failed(error);
    throw error;
  }
  if (!isPromiseLike(response)) {
    answered(response);
    return response;
  }
  return Promise.resolve(response).then(
    (answer) => {
      answered(answer);
      return answer;
    },
    (error: unknown) => {
      failed(error);
      throw error;
    },
  );
}

export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

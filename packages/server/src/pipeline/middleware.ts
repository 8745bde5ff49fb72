/**
 * The shape of a call as the pipeline runs it, and of the middleware around it.
 *
 * A unary call is a function from its request to its response; a streaming call is a session that
 * takes requests one by one and is told once how the call ended. Both are synchronous: every
 * method of this service answers from memory, and the direct paths serve thousands of calls per
 * second, so a call costs no promise unless a middleware needs one.
 *
 * Transports hand over what they received: a request, or the CallError that stands in for one they
 * could not read (bytes that do not decode, a missing or second message, the deadline passing while
 * the request was still arriving). Every call therefore passes through the middleware exactly once,
 * and a middleware sees failures on the wire like any other failed call.
 */
import type { CallContext } from "./call-context.js";
import type { CallError } from "./call-error.js";

/** Serves one unary call: the response, or a thrown CallError. */
export type UnaryHandler<I, O> = (request: I | CallError, context: CallContext) => O;

/** One streaming call in progress, as the transport drives it. */
export interface StreamSession<I, O> {
  /** The response to one request, or a thrown CallError that ends the call. */
  next(request: I | CallError): O;
  /**
   * Called once when the call ends: without an argument when the client finished sending and every
   * request was answered, with the CallError the call ends with otherwise (including one `next` threw).
   */
  end(error?: CallError): void;
}

/** Starts one streaming call. */
export type StreamHandler<I, O> = (context: CallContext) => StreamSession<I, O>;

/** A cross-cutting concern (logging, tracing, metrics) applied around every call of every method. */
export interface Middleware {
  unary<I, O>(next: UnaryHandler<I, O>): UnaryHandler<I, O>;
  stream<I, O>(next: StreamHandler<I, O>): StreamHandler<I, O>;
}

/** `handler` inside every middleware, the first of `middleware` outermost. */
export function applyUnary<I, O>(handler: UnaryHandler<I, O>, middleware: readonly Middleware[]): UnaryHandler<I, O> {
  return middleware.reduceRight((next, layer) => layer.unary(next), handler);
}

export function applyStream<I, O>(
  handler: StreamHandler<I, O>,
  middleware: readonly Middleware[],
): StreamHandler<I, O> {
  return middleware.reduceRight((next, layer) => layer.stream(next), handler);
}

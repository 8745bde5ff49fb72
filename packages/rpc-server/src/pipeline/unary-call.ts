/**
 * Running one unary call, for every transport: the request (or the CallError standing in for it)
 * goes through the pipeline once, and the answer, a thrown value mapped to a CallError, or the
 * reason the call was aborted reaches the transport's sink once. A handler that answers with a
 * plain value costs no promise.
 */
import type { TransportCallContext } from "../call-context.js";
import { toCallError, type CallError } from "../call-error.js";
import { isPromiseLike } from "./middleware.js";
import type { UnaryPipeline } from "./pipeline.js";

/** Where a transport takes a unary call's outcome. */
export interface UnarySink {
  respond(response: unknown): void;
  fail(error: CallError): void;
}

export function runUnary(
  pipeline: UnaryPipeline,
  request: unknown,
  context: TransportCallContext,
  sink: UnarySink,
): void {
  let answer: unknown;
  try {
    answer = pipeline.call(request, context);
  } catch (error) {
    context.end();
    sink.fail(toCallError(error));
    return;
  }
  if (!isPromiseLike(answer)) {
    context.end();
    sink.respond(answer);
    return;
  }
  answer.then(
    (response) => {
      context.end();
      sink.respond(response);
    },
    (error: unknown) => {
      context.end();
      sink.fail(toCallError(error));
    },
  );
}

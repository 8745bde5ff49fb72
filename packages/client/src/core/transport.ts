import type { CallSettings } from "./call-options.js";
import type { MethodDescriptors, MethodOf } from "./method.js";
import type { CalculatorTarget } from "./target.js";

/**
 * What a runtime brings to the client: how a call of any method of the contract travels (grpc-js in Node,
 * fetch with Connect or gRPC-Web in browsers and edge runtimes). A call names its method by the runtime's
 * descriptor `D` of it (from the generated contract), never by name, so a new method needs no transport
 * change. Everything else — validation, deadlines, aborts, errors, retries, the API — is the client's,
 * written once (core/client.ts). Private to this package.
 *
 * A transport rejects with a CalculatorError: it maps its library's errors itself.
 */
export interface Transport<D extends MethodDescriptors> {
  readonly target: CalculatorTarget;
  /**
   * Whether the transport retries UNAVAILABLE under the client's `retryPolicy` itself (grpc-js, from its
   * service config). When false the client runs the same policy around `unary`.
   */
  readonly retriesUnavailable: boolean;
  /** One unary call of `method`. */
  unary<I, O>(method: MethodOf<D, I, O, "unary">, request: I, call: CallSettings): Promise<O>;
  /**
   * One bidirectional streaming call of `method`, when the runtime can stream requests (Node): writes the
   * requests as the call takes them (read lazily, with backpressure) and yields the responses in order.
   * `start` resolves the call's settings when iteration starts (it throws when the client is closed). An
   * exception of `requests` cancels the call and is rethrown as it is; requests that simply end half-close
   * it. Without it the client makes unary calls instead.
   */
  readonly bidiStream?: <I, O>(
    method: MethodOf<D, I, O, "bidi_streaming">,
    requests: AsyncIterable<I>,
    signal: AbortSignal | undefined,
    start: () => CallSettings,
  ) => AsyncGenerator<O, void, undefined>;
  /** Releases the transport's connections; calls in flight may finish. */
  close(): void;
}

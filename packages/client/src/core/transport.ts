import type { BinaryOperation } from "@grpc-calculator/proto/messages";
import type { CallSettings } from "./call-options.js";
import type { CalculateRequest } from "./operation.js";
import type { CalculatorTarget } from "./target.js";

/**
 * What a runtime brings to the client: how one `Calculate` call travels (grpc-js in Node, fetch with
 * Connect or gRPC-Web in browsers and edge runtimes). Everything else — validation, deadlines, aborts,
 * errors, retries, the API — is the client's, written once (core/client.ts). Private to this package.
 *
 * A transport rejects with a CalculatorError: it maps its library's errors itself.
 */
export interface Transport {
  readonly target: CalculatorTarget;
  /**
   * Whether the transport retries UNAVAILABLE under the client's `retryPolicy` itself (grpc-js, from its
   * service config). When false the client runs the same policy around `calculate`.
   */
  readonly retriesUnavailable: boolean;
  /** One unary Calculate call; the result as a number. */
  calculate(request: BinaryOperation, call: CallSettings): Promise<number>;
  /**
   * One CalculateStream call, when the runtime can stream requests (Node). `start` resolves the call's
   * settings when iteration starts (it throws when the client is closed). Without it the client batches
   * unary calls.
   */
  calculateMany?(
    requests: Iterable<CalculateRequest> | AsyncIterable<CalculateRequest>,
    signal: AbortSignal | undefined,
    start: () => CallSettings,
  ): AsyncGenerator<number, void, undefined>;
  /** Releases the transport's connections; calls in flight may finish. */
  close(): void;
}

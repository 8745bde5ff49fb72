/**
 * The Calculator's fast path: plain Calculate and CalculateStream calls served straight on their
 * HTTP/2 streams (calculate-unary.ts, calculate-stream.ts) before grpc-js sees them.
 *
 * Why: grpc-js builds a chain of objects, closures and Metadata for every call (interceptors,
 * handler wrappers, object streams), and a CPU profile under load showed that per-call work and
 * the garbage it leaves as the server's largest cost after Node's HTTP/2 itself. For a method whose
 * request is 15 bytes, that is most of the price of a call, which is what Cloud Run bills. The
 * benchmark (apps/bench) measures the difference against a plain grpc-js server.
 *
 * Only the plain case is taken (private/grpc-http2.ts's `plainCallTimeoutMs`): POST,
 * `application/grpc[+proto]`, no compression, a well-formed or absent `grpc-timeout`. Anything else
 * (compressed requests, malformed headers, every other method: health, reflection) is left to
 * grpc-js, which serves it with the ordinary handlers in calculator-service.ts and identical
 * results. Limits still hold: concurrent streams, keepalive, connection age and idle time, and the
 * ping policy act on the HTTP/2 session; messages over MAX_RECEIVE_MESSAGE_BYTES are refused here too.
 */
import { constants } from "node:http2";
import { CalculatorService } from "@grpc-calculator/proto";
import { calculateStreamFastPath } from "./calculate-stream.js";
import { calculateFastPath } from "./calculate-unary.js";
import type { CalculatorHandlerOptions } from "./calculator-service.js";
import { plainCallTimeoutMs } from "./private/grpc-http2.js";
import type { StreamInterceptor } from "./private/grpc-js-internals.js";

const CALCULATE = CalculatorService.calculate.path;
const CALCULATE_STREAM = CalculatorService.calculateStream.path;

/** The interceptor that serves plain Calculator calls; see the module comment. */
export function calculatorFastPath(options: CalculatorHandlerOptions): StreamInterceptor {
  const unary = calculateFastPath(options);
  const streaming = calculateStreamFastPath(options);
  return (stream, headers) => {
    const path = headers[constants.HTTP2_HEADER_PATH];
    const serve = path === CALCULATE ? unary : path === CALCULATE_STREAM ? streaming : undefined;
    if (serve === undefined) return false;
    const timeoutMs = plainCallTimeoutMs(headers);
    if (timeoutMs === undefined) return false;
    // Reset by the client before it got here: nothing to answer.
    if (!stream.destroyed && !stream.closed) serve(stream, headers, timeoutMs);
    return true;
  };
}

/**
 * The web protocols' library path: connect-es's router (the conformance-tested implementation of
 * Connect and gRPC-Web) for every web call the direct paths do not take — compressed bodies,
 * streaming, Connect GET, gRPC-Web with JSON — with the Calculator implemented by the same pipeline
 * as every other call. gRPC is not served here: on HTTP/2 it goes to the direct path or grpc-js,
 * and over HTTP/1.1 it cannot be spoken (415).
 */
import { createConnectRouter, createContextKey, createContextValues, type HandlerContext } from "@connectrpc/connect";
import { uResponseNotFound, type UniversalHandler } from "@connectrpc/connect/protocol";
import type { OutgoingHttpHeaders } from "node:http";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import { status } from "@grpc/grpc-js";
import type { BinaryOperation, CalculationResult } from "@grpc-calculator/proto";
import { MAX_RECEIVE_MESSAGE_BYTES, MAX_SEND_MESSAGE_BYTES } from "../limits.js";
import { TransportCallContext, type MethodInfo } from "../call-context.js";
import { CallError, toCallError } from "../call-error.js";
import type { CalculatorPipeline } from "../pipeline/pipeline.js";
import { MAX_TIMER_MS } from "../protocol/timeouts.js";
import { CALCULATE, CALCULATE_STREAM } from "../service/methods.js";
import { fromConnectError, toConnectError } from "./connect-errors.js";
import { calculatorService, JSON_OPTIONS } from "./descriptors.js";
import type { HttpExchange } from "./http-exchange.js";

/** What connect-es does not know of a call: the HTTP version and the peer. */
const exchangeKey = createContextKey<HttpExchange | undefined>(undefined);

function contextOf(handlerContext: HandlerContext, method: MethodInfo): TransportCallContext {
  const exchange = handlerContext.values.get(exchangeKey);
  const context = new TransportCallContext(
    method,
    handlerContext.protocolName === "grpc-web" ? "grpc-web" : "connect",
    "connect-es",
    exchange?.httpVersion ?? "2",
    (name) => handlerContext.requestHeader.get(name) ?? undefined,
    exchange?.peer,
    handlerContext.timeoutMs() ?? Number.POSITIVE_INFINITY,
  );
  handlerContext.signal.addEventListener("abort", () => context.abort(handlerContext.signal.reason), { once: true });
  return context;
}

/** Ends a call that did not complete: deadline and cancellation, as connect-es reports them. */
function endsTheCall(error: CallError): boolean {
  return error.code === status.DEADLINE_EXCEEDED || error.code === status.CANCELLED;
}

async function* calculateStream(
  pipeline: CalculatorPipeline,
  requests: AsyncIterable<BinaryOperation>,
  handlerContext: HandlerContext,
): AsyncGenerator<CalculationResult> {
  const session = pipeline.calculateStream(contextOf(handlerContext, CALCULATE_STREAM));
  const iterator = requests[Symbol.asyncIterator]();
  let ended: CallError | undefined = new CallError(status.CANCELLED, "the client cancelled the call");
  try {
    for (;;) {
      let request: BinaryOperation | CallError;
      try {
        const next = await iterator.next();
        if (next.done === true) break;
        request = next.value;
      } catch (error) {
        // A request that could not be read is an invalid request at its index, like any other.
        request = fromConnectError(error);
        if (endsTheCall(request)) throw request;
      }
      yield session.next(request);
    }
    ended = undefined;
  } catch (error) {
    ended = toCallError(error);
    throw toConnectError(ended);
  } finally {
    session.end(ended);
  }
}

/** Serves an exchange; `extraHeaders` (CORS) are added to the response. */
export type UniversalDispatch = (
  exchange: HttpExchange,
  extraHeaders: OutgoingHttpHeaders | undefined,
) => Promise<void>;

/** Serves an exchange with connect-es: the handler for its path, or 404. */
export function connectEsDispatch(pipeline: CalculatorPipeline): UniversalDispatch {
  const router = createConnectRouter({
    grpc: false,
    grpcWeb: true,
    connect: true,
    readMaxBytes: MAX_RECEIVE_MESSAGE_BYTES,
    writeMaxBytes: MAX_SEND_MESSAGE_BYTES,
    acceptCompression: [compressionGzip, compressionBrotli],
    jsonOptions: JSON_OPTIONS,
    maxTimeoutMs: MAX_TIMER_MS,
  });
  router.service(calculatorService, {
    calculate(request: BinaryOperation, handlerContext: HandlerContext) {
      try {
        // connect-es makes the protobuf-es message of this plain object.
        return pipeline.calculate(request, contextOf(handlerContext, CALCULATE));
      } catch (error) {
        throw toConnectError(toCallError(error));
      }
    },
    calculateStream: (requests: AsyncIterable<BinaryOperation>, handlerContext: HandlerContext) =>
      calculateStream(pipeline, requests, handlerContext),
  } as never);
  const handlers = new Map<string, UniversalHandler>(router.handlers.map((handler) => [handler.requestPath, handler]));
  return async (exchange, extraHeaders) => {
    const handler = handlers.get(exchange.path);
    const request = { ...exchange.toUniversal(), contextValues: createContextValues().set(exchangeKey, exchange) };
    const response = handler === undefined ? uResponseNotFound : await handler(request);
    if (extraHeaders === undefined) return exchange.sendUniversal(response);
    const header = new Headers(response.header);
    for (const [name, value] of Object.entries(extraHeaders)) header.set(name, String(value));
    await exchange.sendUniversal({ ...response, header });
  };
}

/**
 * How the web protocols' direct paths serve a unary call over an HttpExchange: read the body (within
 * the limit and the deadline), decode it, run the pipeline, answer. Each protocol brings its wire
 * format (protocol-connect/unary.ts, protocol-grpc-web/unary.ts); this is the part they share.
 */
import type { OutgoingHttpHeaders } from "node:http";
import { userHeaders, type TransportCallContext } from "../call-context.js";
import { wireErrors, type CallError } from "../call-error.js";
import { cancelled, type UnaryPipeline } from "../pipeline/pipeline.js";
import { runUnary } from "../pipeline/unary-call.js";
import type { HttpExchange } from "./http-exchange.js";

/** A response: status, headers and body. */
export interface WireResponse {
  readonly status: number;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Uint8Array;
}

/** A protocol's unary wire format for one method. */
export interface UnaryWireFormat {
  /** The largest body accepted. */
  readonly maxBodyBytes: number;
  /** The request in a body, or the CallError that stands in for it. */
  decode(body: Buffer): unknown;
  /** The response, with the handler's trailers where the protocol carries them in the body. */
  answer(response: unknown, trailers: Headers | undefined): WireResponse;
  /** A failed call's response. */
  fail(error: CallError, trailers: Headers | undefined): WireResponse;
}

/**
 * Serves one unary call. `context` carries its deadline; `extraHeaders` (CORS) go on the response.
 * The call passes through the pipeline exactly once, whatever happens on the wire.
 */
export function serveUnary(
  pipeline: UnaryPipeline,
  exchange: HttpExchange,
  context: TransportCallContext,
  format: UnaryWireFormat,
  extraHeaders: OutgoingHttpHeaders | undefined,
): void {
  let read = false;
  const send = (reply: WireResponse): void => {
    const handlerHeaders = userHeaders(context.setResponseHeader);
    const headers =
      extraHeaders === undefined && handlerHeaders.length === 0
        ? reply.headers
        : { ...Object.fromEntries(handlerHeaders), ...reply.headers, ...extraHeaders };
    exchange.respond(reply.status, headers, reply.body);
  };
  const finish = (input: Buffer | CallError): void => {
    if (read) return;
    read = true;
    const request = Buffer.isBuffer(input) ? format.decode(input) : input;
    runUnary(pipeline, request, context, {
      respond(response) {
        let reply: WireResponse;
        try {
          reply = format.answer(response, context.setResponseTrailer);
        } catch (error) {
          reply = format.fail(wireErrors.cannotEncode(error), context.setResponseTrailer);
        }
        send(reply);
      },
      fail: (error) => send(format.fail(error, context.setResponseTrailer)),
    });
  };
  // The deadline, or the client going away, while the request is still arriving.
  context.onAbort(finish);
  exchange.onAbort(() => context.abort(cancelled(pipeline)));
  exchange.readBody(format.maxBodyBytes, finish);
}

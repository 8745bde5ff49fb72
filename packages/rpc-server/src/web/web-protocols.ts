/**
 * The web protocols, Connect and gRPC-Web, on HTTP/1.1 and HTTP/2: what browsers, `curl` and `fetch`
 * speak. CORS first (cors.ts); then plain unary `Calculate` calls take the direct path
 * (protocol-connect/unary.ts, protocol-grpc-web/unary.ts) and everything else connect-es
 * (connect-es.ts). Both run the same pipeline as gRPC calls.
 *
 * This module and what it imports load on the first web request (transport/web-loader.ts), so a
 * server that only ever sees gRPC never spends start time on connect-es.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import { TransportCallContext } from "../call-context.js";
import type { CalculatorPipeline } from "../pipeline/pipeline.js";
import { directConnectUnary } from "../protocol-connect/unary.js";
import { directGrpcWebUnary } from "../protocol-grpc-web/unary.js";
import { CALCULATE } from "../service/methods.js";
import { connectEsDispatch } from "./connect-es.js";
import { corsPolicy, type AllowedOrigins } from "./cors.js";
import { http1Exchange } from "./http1-exchange.js";
import { http2Exchange } from "./http2-exchange.js";
import type { HttpExchange } from "./http-exchange.js";
import { serveUnary } from "./unary-exchange.js";

export interface WebProtocolsOptions {
  readonly pipeline: CalculatorPipeline;
  readonly allowedOrigins: AllowedOrigins;
  /** Serve plain unary calls on the direct path (default true); false leaves every call to connect-es. */
  readonly directPath: boolean;
  /** Told of a failure no response could report (a bug): the call was answered 500 if it could be. */
  readonly onError: (error: unknown) => void;
}

export interface WebProtocols {
  readonly serveHttp2: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void;
  readonly serveHttp1: (request: IncomingMessage, response: ServerResponse) => void;
}

export function createWebProtocols({
  pipeline,
  allowedOrigins,
  directPath,
  onError,
}: WebProtocolsOptions): WebProtocols {
  const cors = corsPolicy(allowedOrigins);
  const library = connectEsDispatch(pipeline);

  function serve(exchange: HttpExchange): void {
    const decision = cors(exchange.method, exchange.header);
    if (decision.kind === "refused") {
      exchange.respond(
        403,
        { "content-type": "text/plain; charset=utf-8" },
        Buffer.from(`origin ${decision.origin} is not allowed (CORS_ALLOWED_ORIGINS)\n`),
      );
      return;
    }
    if (decision.kind === "preflight") {
      exchange.respond(204, decision.headers);
      return;
    }
    const extraHeaders: OutgoingHttpHeaders | undefined = decision.kind === "allowed" ? decision.headers : undefined;
    if (directPath && exchange.path === CALCULATE.path) {
      const connect = directConnectUnary(exchange);
      const grpcWeb = connect === undefined ? directGrpcWebUnary(exchange) : undefined;
      const direct = connect ?? grpcWeb;
      if (direct !== undefined) {
        const context = new TransportCallContext(
          CALCULATE,
          connect === undefined ? "grpc-web" : "connect",
          "direct",
          exchange.httpVersion,
          exchange.header,
          exchange.peer,
          direct.timeoutMs,
        );
        serveUnary(pipeline, exchange, context, direct.format, extraHeaders);
        return;
      }
    }
    library(exchange, extraHeaders).catch((error: unknown) => {
      onError(error);
      exchange.respond(500, { "content-type": "text/plain; charset=utf-8" }, Buffer.from("internal error\n"));
    });
  }

  return {
    serveHttp2: (stream, headers) => serve(http2Exchange(stream, headers)),
    serveHttp1: (request, response) => serve(http1Exchange(request, response)),
  };
}

/**
 * The web protocols, REST, Connect and gRPC-Web, on HTTP/1.1 and HTTP/2: what browsers, `curl` and
 * `fetch` speak. CORS first (cors.ts); then the REST routes of annotated methods (protocol-rest/);
 * then plain unary calls of any method take the direct path (protocol-connect/unary.ts,
 * protocol-grpc-web/unary.ts) and everything else connect-es (connect-es.ts). All run the same
 * pipeline as gRPC calls.
 *
 * This module and what it imports load on the first web request (transport/web-loader.ts), so a
 * server that only ever sees gRPC never spends start time on connect-es.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import { TransportCallContext } from "../call-context.js";
import type { ServerLimits } from "../limits.js";
import type { Pipelines, StreamPipeline, UnaryPipeline } from "../pipeline/pipeline.js";
import { connectUnaryFormats, directConnectUnary } from "../protocol-connect/unary.js";
import { connectStreamFormats, directConnectStream } from "../protocol-connect/stream.js";
import { grpcWebStreamFormat } from "../protocol-grpc-web/stream.js";
import { createRest } from "../protocol-rest/rest.js";
import { directGrpcWeb, grpcWebUnaryFormat } from "../protocol-grpc-web/unary.js";
import type { MethodInfo, ServiceRegistration } from "../service.js";
import { connectEsDispatch } from "./connect-es.js";
import { corsPolicy, type AllowedOrigins } from "./cors.js";
import { methodCodec, serviceDescriptors, type MethodCodec } from "./descriptors.js";
import { http1Exchange } from "./http1-exchange.js";
import { http2Exchange } from "./http2-exchange.js";
import type { HttpExchange } from "./http-exchange.js";
import { serveStream, type StreamWireFormat } from "./stream-exchange.js";
import { serveUnary, type UnaryWireFormat } from "./unary-exchange.js";

export interface WebProtocolsOptions {
  readonly services: readonly ServiceRegistration[];
  readonly pipelines: Pipelines;
  readonly limits: ServerLimits;
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

/** A method's direct-path wire formats, one per protocol and encoding. */
interface DirectFormats<F> {
  readonly connectJson: F | undefined;
  readonly connectProto: F;
  readonly grpcWeb: F;
}

interface DirectUnary extends DirectFormats<UnaryWireFormat> {
  readonly pipeline: UnaryPipeline;
}

interface DirectStream extends DirectFormats<StreamWireFormat> {
  readonly pipeline: StreamPipeline;
}

export function createWebProtocols({
  services,
  pipelines,
  limits,
  allowedOrigins,
  directPath,
  onError,
}: WebProtocolsOptions): WebProtocols {
  const descriptors = serviceDescriptors(services);
  const codecs = new Map<string, MethodCodec>();
  for (const pipeline of pipelines.values()) {
    const descriptor = descriptors
      .get(pipeline.method.service)
      ?.service.methods.find((m) => m.name === pipeline.method.name);
    if (descriptor !== undefined) codecs.set(pipeline.method.path, methodCodec(pipeline.method, descriptor, limits));
  }
  const rest = createRest(descriptors, pipelines, codecs, limits);
  const cors = corsPolicy(allowedOrigins, rest?.methods);
  const library = connectEsDispatch(
    [...descriptors.values()].map((d) => d.service),
    pipelines,
    codecs,
    limits,
  );

  const direct = new Map<string, DirectUnary>();
  const directStreams = new Map<string, DirectStream>();
  if (directPath) {
    for (const pipeline of pipelines.values()) {
      if (pipeline.kind !== "unary") {
        const { json, proto } = connectStreamFormats(pipeline.method, () => codecs.get(pipeline.method.path));
        directStreams.set(pipeline.method.path, {
          pipeline,
          connectJson: json,
          connectProto: proto,
          grpcWeb: grpcWebStreamFormat(pipeline.method),
        });
        continue;
      }
      const { json, proto } = connectUnaryFormats(
        pipeline.method,
        () => codecs.get(pipeline.method.path),
        limits.maxReceiveMessageBytes,
      );
      direct.set(pipeline.method.path, {
        pipeline,
        connectJson: json,
        connectProto: proto,
        grpcWeb: grpcWebUnaryFormat(pipeline.method, limits.maxReceiveMessageBytes),
      });
    }
  }

  /**
   * The wire format and context of a call the direct path takes, or undefined: which protocol the
   * exchange speaks (Connect's unary or streaming content types, gRPC-Web's), in which encoding.
   */
  function directCall<F>(
    exchange: HttpExchange,
    method: MethodInfo,
    formats: DirectFormats<F>,
    connect: { binary: boolean; timeoutMs: number } | undefined,
  ): { format: F; context: TransportCallContext } | undefined {
    const grpcWeb = connect === undefined ? directGrpcWeb(exchange) : undefined;
    const format =
      connect !== undefined
        ? connect.binary
          ? formats.connectProto
          : formats.connectJson
        : grpcWeb === undefined
          ? undefined
          : formats.grpcWeb;
    if (format === undefined) return undefined;
    const context = new TransportCallContext(
      method,
      connect === undefined ? "grpc-web" : "connect",
      "direct",
      exchange.httpVersion,
      exchange.header,
      exchange.peer,
      (connect ?? grpcWeb)?.timeoutMs ?? Number.POSITIVE_INFINITY,
    );
    return { format, context };
  }

  /**
   * Serves `exchange` on the direct path if it is a call the direct path takes. HTTP/1.1 cannot carry
   * a bidi stream (a request stream alongside its response): such calls go to connect-es, which
   * answers them as the protocols say (505).
   */
  function serveDirect(exchange: HttpExchange, extraHeaders: OutgoingHttpHeaders | undefined): boolean {
    const unary = direct.get(exchange.path);
    if (unary !== undefined) {
      const call = directCall(exchange, unary.pipeline.method, unary, directConnectUnary(exchange));
      if (call === undefined) return false;
      serveUnary(unary.pipeline, exchange, call.context, call.format, extraHeaders);
      return true;
    }
    const stream = directStreams.get(exchange.path);
    if (stream === undefined) return false;
    if (exchange.httpVersion === "1.1" && stream.pipeline.method.kind === "bidi_streaming") return false;
    const call = directCall(exchange, stream.pipeline.method, stream, directConnectStream(exchange));
    if (call === undefined) return false;
    serveStream(stream.pipeline, exchange, call.context, call.format, limits.maxReceiveMessageBytes, extraHeaders);
    return true;
  }

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
    if (rest?.serve(exchange, extraHeaders) === true) return;
    if (serveDirect(exchange, extraHeaders)) return;
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

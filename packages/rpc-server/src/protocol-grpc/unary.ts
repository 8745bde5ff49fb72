/**
 * A unary call over gRPC, served straight on its HTTP/2 stream: the request's one message is read
 * and decoded, the pipeline answers, and the answer leaves as headers, one message and `grpc-status`
 * trailers — what grpc-js sends, without its per-call objects (see handler.ts for why).
 *
 * Cardinality follows gRPC's status code guide: a unary call carrying no message, or more than one,
 * is UNIMPLEMENTED (what grpc-js answers too).
 */
import type { IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import type { TransportCallContext } from "../call-context.js";
import { wireErrors, type CallError } from "../call-error.js";
import { cancelled, type UnaryPipeline } from "../pipeline/pipeline.js";
import { runUnary, type UnarySink } from "../pipeline/unary-call.js";
import { EnvelopeReader, encodeEnvelopes } from "../protocol/envelope.js";
import { decodeMessage } from "../protocol/codec.js";
import { grpcCallContext } from "./request.js";
import { OK_TRAILERS, respondWithStatus, responseHeaders, statusTrailers, WITH_TRAILERS } from "./response.js";

/** Shared by every call that set no trailers of its own: `this` is the stream whose status is due. */
function sendOkTrailers(this: ServerHttp2Stream): void {
  this.sendTrailers(OK_TRAILERS);
}

/** Serves one call on `stream`; `timeoutMs` is its deadline (Infinity for none). */
export type GrpcCallServer = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, timeoutMs: number) => void;

class UnaryAnswer implements UnarySink {
  constructor(
    private readonly stream: ServerHttp2Stream,
    private readonly pipeline: UnaryPipeline,
    private readonly context: TransportCallContext,
  ) {}

  respond(response: unknown): void {
    const { stream, context } = this;
    let bytes: Uint8Array;
    try {
      bytes = this.pipeline.method.encode(response);
    } catch (error) {
      return this.fail(wireErrors.cannotEncode(error));
    }
    if (stream.destroyed || stream.closed) return;
    stream.respond(responseHeaders(context), WITH_TRAILERS);
    if (context.setResponseTrailer === undefined) stream.on("wantTrailers", sendOkTrailers);
    else stream.once("wantTrailers", () => stream.sendTrailers(statusTrailers(undefined, context)));
    stream.end(encodeEnvelopes([bytes]));
  }

  fail(error: CallError): void {
    respondWithStatus(this.stream, error, this.context);
  }
}

export function grpcUnary(pipeline: UnaryPipeline, maxMessageBytes: number): GrpcCallServer {
  const { method } = pipeline;
  return (stream, headers, timeoutMs) => {
    const context = grpcCallContext(method, stream, headers, timeoutMs);
    const reader = new EnvelopeReader(maxMessageBytes);
    let message: Buffer | undefined;
    let done = false;

    // Every call ends here once, through the pipeline: with its request, or with what stood in for it.
    const finish = (failure: CallError | undefined): void => {
      if (done) return;
      done = true;
      const request = failure ?? (message === undefined ? wireErrors.noRequest : decodeMessage(method, message));
      runUnary(pipeline, request, context, new UnaryAnswer(stream, pipeline, context));
    };
    const onMessage = (received: Buffer): CallError | undefined => {
      if (message !== undefined) return wireErrors.secondRequest;
      message = received;
      return undefined;
    };

    // The deadline, or the client's reset, while the request is still arriving.
    context.onAbort((reason) => finish(reason));
    stream.on("data", (chunk: Buffer) => {
      if (done) return;
      const failure = reader.read(chunk, onMessage);
      if (failure !== undefined) finish(failure);
    });
    stream.on("end", () => finish(reader.midMessage ? wireErrors.endedInsideMessage : undefined));
    // Reset by the client before it was answered.
    stream.on("close", () => context.abort(cancelled(pipeline)));
  };
}

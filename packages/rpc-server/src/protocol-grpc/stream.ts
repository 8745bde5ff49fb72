/**
 * Streaming calls over gRPC (server, client and bidi streaming), served straight on their HTTP/2
 * stream. Each incoming DATA chunk is split into the messages it holds and each is pushed to the
 * call (pipeline/stream-call.ts); the responses produced meanwhile leave in one write, at the end of
 * the chunk for a handler that answers synchronously (`eachRequest`), or once the handler's pending
 * work has run. Through grpc-js every streamed message is its own trip through the call's object
 * streams and its own HTTP/2 write, which a CPU profile under load showed dominating.
 */
import type { ServerHttp2Stream } from "node:http2";
import type { TransportCallContext } from "../call-context.js";
import { wireErrors, type CallError } from "../call-error.js";
import { cancelled, type StreamPipeline } from "../pipeline/pipeline.js";
import { startStream } from "../pipeline/stream-call.js";
import { decodeMessage } from "../protocol/codec.js";
import { BatchedSink } from "../protocol/batched-sink.js";
import { EnvelopeReader } from "../protocol/envelope.js";
import { grpcCallContext } from "./request.js";
import { respondWithStatus, responseHeaders, statusTrailers, WITH_TRAILERS } from "./response.js";
import type { GrpcCallServer } from "./unary.js";

/** Writes a call's responses in batches and ends it with its status. */
class GrpcStreamSink extends BatchedSink {
  constructor(
    private readonly stream: ServerHttp2Stream,
    private readonly pipeline: StreamPipeline,
    context: TransportCallContext,
  ) {
    super(context);
  }

  protected encode(response: unknown): Uint8Array {
    return this.pipeline.method.encode(response);
  }

  protected writeEnvelopes(envelopes: Buffer): boolean {
    if (this.stream.destroyed) return true;
    this.sendHeaders();
    return this.stream.write(envelopes);
  }

  protected waitForRoom(listener: () => void): void {
    this.stream.once("drain", listener);
  }

  /** Sends the response headers now, if the call is still on and they have not gone yet. */
  sendHeaders(): void {
    if (this.ended || this.stream.destroyed || this.stream.headersSent) return;
    this.stream.respond(responseHeaders(this.context), WITH_TRAILERS);
  }

  end(error: CallError | undefined): void {
    const { stream } = this;
    if (stream.destroyed || stream.closed) {
      this.ended = true;
      return;
    }
    if (!stream.headersSent) {
      if (!this.pending && error !== undefined) {
        this.ended = true;
        return respondWithStatus(stream, error, this.context);
      }
      stream.respond(responseHeaders(this.context), WITH_TRAILERS);
    }
    this.flush();
    this.ended = true;
    stream.once("wantTrailers", () => stream.sendTrailers(statusTrailers(error, this.context)));
    // Keep reading (and dropping) whatever the client still sends, so flow control never stalls it.
    stream.resume();
    stream.end();
  }
}

export function grpcStream(pipeline: StreamPipeline, maxMessageBytes: number): GrpcCallServer {
  const { method } = pipeline;
  return (stream, headers, timeoutMs) => {
    const context = grpcCallContext(method, stream, headers, timeoutMs);
    const sink = new GrpcStreamSink(stream, pipeline, context);
    const call = startStream(pipeline, context, sink, {
      pause: () => stream.pause(),
      resume: () => stream.resume(),
    });
    // With a request stream, the headers go now, as grpc-js and gRPC core send them, so a client waiting
    // for them before it sends proceeds; what the handler set as it started (it has run up to its first
    // await) goes with them. A server-streaming handler has not started yet (it waits for its one
    // request): its headers go with its first message, or its status.
    if (method.requestStream) sink.sendHeaders();
    const reader = new EnvelopeReader(maxMessageBytes);
    const push = (message: Buffer): undefined => {
      call.push(decodeMessage(method, message));
      return undefined;
    };

    // Reset by the client, or closed after the last frame: nothing more to send either way.
    stream.on("close", () => context.abort(cancelled(pipeline)));
    stream.on("data", (chunk: Buffer) => {
      // A message the reader refused (too large, compressed) is a request that could not be read.
      const failure = reader.read(chunk, push);
      if (failure !== undefined) call.push(failure);
      sink.flush();
    });
    stream.on("end", () => {
      if (reader.midMessage) call.push(wireErrors.endedInsideMessage);
      else call.end();
    });
  };
}

/**
 * How the web protocols' direct paths serve a streaming call (server, client or bidi streaming) over
 * an HttpExchange: requests are read from the body's length-prefixed messages as they arrive and
 * pushed to the call (pipeline/stream-call.ts); responses leave as length-prefixed messages, batched
 * per turn, and the call ends with the protocol's last frame (Connect's end-of-stream message,
 * gRPC-Web's trailer frame). Each protocol brings its wire format (protocol-connect/stream.ts,
 * protocol-grpc-web/stream.ts); this is the part they share. A request the body could not carry
 * (cut off inside a message, too large, flagged as only a server may) is handed to the call as the
 * error that stands for it, so every path answers it alike.
 */
import type { OutgoingHttpHeaders } from "node:http";
import { userHeaders, type TransportCallContext } from "../call-context.js";
import { wireErrors, type CallError } from "../call-error.js";
import { cancelled, type StreamPipeline } from "../pipeline/pipeline.js";
import { startStream } from "../pipeline/stream-call.js";
import { BatchedSink } from "../protocol/batched-sink.js";
import { EnvelopeReader } from "../protocol/envelope.js";
import { onBodyEnd, type HttpExchange, type ResponseWriter } from "./http-exchange.js";

/** A protocol's streaming wire format for one method. */
export interface StreamWireFormat {
  readonly contentType: string;
  /** Frames with this flag in the request are skipped (gRPC-Web's trailer flag), 0 for none. */
  readonly skipFlag: number;
  /** The request in one message's bytes, or the CallError that stands in for it. */
  decode(message: Buffer): unknown;
  /** One response message's bytes. */
  encode(response: unknown): Uint8Array;
  /** The last frame: how the call ended, with the handler's trailers. */
  end(error: CallError | undefined, trailers: Headers | undefined): Uint8Array;
}

/** Writes a call's responses in batches, the response's head once, and its last frame. */
class WebStreamSink extends BatchedSink {
  #writer: ResponseWriter | undefined;

  constructor(
    private readonly exchange: HttpExchange,
    private readonly format: StreamWireFormat,
    context: TransportCallContext,
    private readonly extraHeaders: OutgoingHttpHeaders | undefined,
  ) {
    super(context);
  }

  /** The response's head goes with the first response (or the end), carrying what the handler set by then. */
  #start(): ResponseWriter {
    if (this.#writer !== undefined) return this.#writer;
    const headers: OutgoingHttpHeaders = {
      ...Object.fromEntries(userHeaders(this.context.setResponseHeader)),
      ...this.extraHeaders,
      "content-type": this.format.contentType,
    };
    return (this.#writer = this.exchange.startResponse(200, headers));
  }

  protected encode(response: unknown): Uint8Array {
    return this.format.encode(response);
  }

  protected writeEnvelopes(envelopes: Buffer): boolean {
    return this.#start().write(envelopes);
  }

  protected waitForRoom(listener: () => void): void {
    this.#start().onDrain(listener);
  }

  end(error: CallError | undefined): void {
    this.flush();
    this.ended = true;
    this.#start().end(this.format.end(error, this.context.setResponseTrailer));
  }
}

/** Serves one streaming call. `context` carries its deadline; `extraHeaders` (CORS) go on the response. */
export function serveStream(
  pipeline: StreamPipeline,
  exchange: HttpExchange,
  context: TransportCallContext,
  format: StreamWireFormat,
  maxMessageBytes: number,
  extraHeaders: OutgoingHttpHeaders | undefined,
): void {
  const { body } = exchange;
  const sink = new WebStreamSink(exchange, format, context, extraHeaders);
  const call = startStream(pipeline, context, sink, { pause: () => body.pause(), resume: () => body.resume() });
  const reader = new EnvelopeReader(maxMessageBytes, format.skipFlag);
  const push = (message: Buffer): undefined => void call.push(format.decode(message));
  exchange.onAbort(() => context.abort(cancelled(pipeline)));
  body.on("error", () => context.abort(cancelled(pipeline)));
  body.on("data", (chunk: Buffer) => {
    const failure = reader.read(chunk, push);
    if (failure !== undefined) call.push(failure);
    sink.flush();
  });
  onBodyEnd(body, () => {
    if (reader.midMessage) call.push(wireErrors.endedInsideMessage);
    else call.end();
  });
}

/**
 * `CalculateStream` over gRPC, served straight on its HTTP/2 stream, in batches: each incoming DATA
 * chunk is split into the messages it holds, each goes through the pipeline's session, and all
 * their answers leave in one write. Through grpc-js every streamed message is its own trip through
 * the call's object streams and its own HTTP/2 write, which a CPU profile under load showed
 * dominating.
 */
import { status } from "@grpc/grpc-js";
import { MAX_RECEIVE_MESSAGE_BYTES } from "../limits.js";
import { CallError, toCallError } from "../pipeline/call-error.js";
import type { CalculatorPipeline } from "../pipeline/pipeline.js";
import { decodeRequest, encodeResponse } from "../protocol/binary-codec.js";
import { EnvelopeReader, encodeEnvelopes } from "../protocol/envelope.js";
import { grpcCallContext } from "./request.js";
import { CALCULATE_STREAM } from "../service/methods.js";
import { RESPONSE_HEADERS, statusTrailers, WITH_TRAILERS } from "./response.js";
import type { GrpcCallServer } from "./unary.js";

const ENDED_INSIDE_MESSAGE = new CallError(status.INTERNAL, "the request stream ended inside a message");
const DEADLINE_EXCEEDED = new CallError(status.DEADLINE_EXCEEDED, "Deadline exceeded");
const CANCELLED = new CallError(status.CANCELLED, "the client cancelled the call");

export function grpcStream(pipeline: CalculatorPipeline): GrpcCallServer {
  return (stream, headers, timeoutMs) => {
    const context = grpcCallContext(CALCULATE_STREAM, stream, headers, timeoutMs);
    const session = pipeline.calculateStream(context);
    const reader = new EnvelopeReader(MAX_RECEIVE_MESSAGE_BYTES);
    let finished = false;
    let finalError: CallError | undefined;

    stream.respond(RESPONSE_HEADERS, WITH_TRAILERS);
    stream.on("wantTrailers", () => stream.sendTrailers(statusTrailers(finalError)));

    const finish = (error: CallError | undefined): void => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      finalError = error;
      if (error !== undefined) context.abort(error);
      session.end(error);
      // Keep reading (and dropping) whatever the client still sends, so flow control never stalls it.
      stream.resume();
      if (!stream.destroyed) stream.end();
    };
    /** The session's answer to one request (or to what stood in for it), or the error that ends the call. */
    const answer = (request: Parameters<typeof session.next>[0], answers: Uint8Array[]): CallError | undefined => {
      try {
        answers.push(encodeResponse(session.next(request)));
        return undefined;
      } catch (error) {
        return toCallError(error);
      }
    };

    const deadline =
      timeoutMs === Number.POSITIVE_INFINITY ? undefined : setTimeout(() => finish(DEADLINE_EXCEEDED), timeoutMs);
    // Reset by the client, or closed after the last frame: nothing more to send either way.
    stream.on("close", () => finish(CANCELLED));
    stream.on("error", () => undefined);

    stream.on("data", (chunk: Buffer) => {
      if (finished) return;
      const answers: Uint8Array[] = [];
      let refused: CallError | undefined;
      const failure = reader.read(chunk, (message) => (refused = answer(decodeRequest(message), answers)));
      // Backpressure: stop reading requests while the client is not reading results.
      if (answers.length > 0 && !stream.write(encodeEnvelopes(answers)) && failure === undefined) {
        stream.pause();
        stream.once("drain", () => stream.resume());
      }
      // A message the reader refused (too large, compressed) is an invalid request at its index too.
      if (failure !== undefined) finish(failure === refused ? failure : answer(failure, []));
    });

    stream.on("end", () => {
      // A request cut off inside its message is an invalid request at its index, like any other.
      finish(reader.midMessage ? answer(ENDED_INSIDE_MESSAGE, []) : undefined);
    });
  };
}

/**
 * `Calculate` over gRPC, served straight on its HTTP/2 stream: the request's one message is read
 * and decoded, the pipeline answers, and the answer leaves as headers, one message and `grpc-status`
 * trailers — what grpc-js sends, without its per-call objects (see handler.ts for why).
 *
 * Cardinality follows gRPC's status code guide: a unary call carrying no message, or more than one,
 * is UNIMPLEMENTED (what grpc-js answers too).
 */
import type { IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import { status } from "@grpc/grpc-js";
import type { BinaryOperation } from "@grpc-calculator/proto";
import { MAX_RECEIVE_MESSAGE_BYTES } from "../limits.js";
import { CallError, toCallError } from "../pipeline/call-error.js";
import type { CalculatorPipeline } from "../pipeline/pipeline.js";
import { decodeRequest, encodeResponse } from "../protocol/binary-codec.js";
import { EnvelopeReader, encodeEnvelopes } from "../protocol/envelope.js";
import { grpcCallContext } from "./request.js";
import { CALCULATE } from "../service/methods.js";
import { OK_TRAILERS, RESPONSE_HEADERS, respondWithStatus, WITH_TRAILERS } from "./response.js";

const SECOND_MESSAGE = new CallError(status.UNIMPLEMENTED, "received a second request message on a unary call");
const NO_MESSAGE = new CallError(status.UNIMPLEMENTED, "received no request message");
const ENDED_INSIDE_MESSAGE = new CallError(status.INTERNAL, "the request ended inside a message");
const DEADLINE_EXCEEDED = new CallError(status.DEADLINE_EXCEEDED, "Deadline exceeded");
const CANCELLED = new CallError(status.CANCELLED, "the client cancelled the call");

function ignore(): void {}

/** Shared by every call: `this` is the stream whose status is due. */
function sendOkTrailers(this: ServerHttp2Stream): void {
  this.sendTrailers(OK_TRAILERS);
}

/** Serves one Calculate call on `stream`; `timeoutMs` is its deadline (Infinity for none). */
export type GrpcCallServer = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, timeoutMs: number) => void;

export function grpcUnary(pipeline: CalculatorPipeline): GrpcCallServer {
  return (stream, headers, timeoutMs) => {
    const context = grpcCallContext(CALCULATE, stream, headers, timeoutMs);
    const reader = new EnvelopeReader(MAX_RECEIVE_MESSAGE_BYTES);
    let message: Buffer | undefined;
    let done = false;
    let deadline: NodeJS.Timeout | undefined;

    // Every call ends here once, through the pipeline: with its request, or with what stood in for it.
    const finish = (failure: CallError | undefined): void => {
      done = true;
      clearTimeout(deadline);
      if (failure !== undefined) context.abort(failure);
      const request: BinaryOperation | CallError =
        failure ?? (message === undefined ? NO_MESSAGE : decodeRequest(message));
      let answer: Uint8Array;
      try {
        answer = encodeResponse(pipeline.calculate(request, context));
      } catch (error) {
        respondWithStatus(stream, toCallError(error));
        return;
      }
      if (stream.destroyed || stream.closed) return;
      stream.respond(RESPONSE_HEADERS, WITH_TRAILERS);
      stream.on("wantTrailers", sendOkTrailers);
      stream.end(encodeEnvelopes([answer]));
    };
    const onMessage = (received: Buffer): CallError | undefined => {
      if (message !== undefined) return SECOND_MESSAGE;
      message = received;
      return undefined;
    };

    if (timeoutMs !== Number.POSITIVE_INFINITY) {
      deadline = setTimeout(() => {
        if (!done) finish(DEADLINE_EXCEEDED);
      }, timeoutMs);
    }
    stream.on("error", ignore);
    stream.on("data", (chunk: Buffer) => {
      if (done) return;
      const failure = reader.read(chunk, onMessage);
      if (failure !== undefined) finish(failure);
    });
    stream.on("end", () => {
      if (!done) finish(reader.midMessage ? ENDED_INSIDE_MESSAGE : undefined);
    });
    // Reset by the client before it was answered.
    stream.on("close", () => {
      if (!done) finish(CANCELLED);
    });
  };
}

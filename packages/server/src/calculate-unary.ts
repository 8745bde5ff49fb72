/**
 * Calculate's fast path: the unary method served straight on its HTTP/2 stream (see fast-path.ts
 * for why and when). The request's one message is decoded with the generated `BinaryOperation`
 * codec, computed with `calculate`, and answered with headers, one frame and `grpc-status: 0`
 * trailers — what grpc-js sends, without its per-call objects.
 *
 * Cardinality follows gRPC's status code guide: a unary call carrying no message, or more than one,
 * is UNIMPLEMENTED (what grpc-js answers too).
 */
import type { IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { status } from "@grpc/grpc-js";
import { BinaryOperation, CalculationResult, CalculatorService } from "@grpc-calculator/proto";
import { calculate } from "./calculate.js";
import { describeRequest, type CalculatorHandlerOptions } from "./calculator-service.js";
import { MAX_RECEIVE_MESSAGE_BYTES } from "./limits.js";
import { traceFieldsFrom } from "./logger.js";
import {
  frameMessages,
  headerReader,
  MessageReader,
  OK_TRAILERS,
  RESPONSE_HEADERS,
  respondWithStatus,
  undecodable,
  WITH_TRAILERS,
  type CallStatus,
} from "./private/grpc-http2.js";

const PATH = CalculatorService.calculate.path;
const SECOND_MESSAGE: CallStatus = {
  code: status.UNIMPLEMENTED,
  details: "received a second request message on a unary call",
};
const NO_MESSAGE: CallStatus = { code: status.UNIMPLEMENTED, details: "received no request message" };
const ENDED_INSIDE_MESSAGE: CallStatus = { code: status.INTERNAL, details: "the request ended inside a message" };
const DEADLINE_EXCEEDED: CallStatus = { code: status.DEADLINE_EXCEEDED, details: "Deadline exceeded" };

function ignore(): void {}

/** Shared by every call: `this` is the stream whose status is due. */
function sendOkTrailers(this: ServerHttp2Stream): void {
  this.sendTrailers(OK_TRAILERS);
}

/** Serves one plain Calculate call on `stream`; `timeoutMs` is its deadline (Infinity for none). */
export type UnaryCallServer = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, timeoutMs: number) => void;

export function calculateFastPath({ logger, googleCloudProject }: CalculatorHandlerOptions): UnaryCallServer {
  const debug = logger.isLevelEnabled("debug");
  const warn = logger.isLevelEnabled("warn");
  // One writer for every answer: encoding is synchronous, and finish() hands back a copy and resets it.
  const writer = new BinaryWriter();

  function answer(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, message: Buffer): void {
    let request: BinaryOperation;
    try {
      request = BinaryOperation.decode(message);
    } catch (error) {
      respondWithStatus(stream, undecodable(error));
      return;
    }
    const outcome = calculate(request.firstOperand, request.secondOperand, request.operation);
    if (!outcome.ok) {
      if (warn) {
        logger.warn(
          {
            method: PATH,
            ...traceFieldsFrom(headerReader(headers), googleCloudProject),
            request: describeRequest(request),
            code: outcome.code,
          },
          outcome.message,
        );
      }
      respondWithStatus(stream, { code: outcome.code, details: outcome.message });
      return;
    }
    if (debug) {
      logger.debug(
        {
          method: PATH,
          ...traceFieldsFrom(headerReader(headers), googleCloudProject),
          request: describeRequest(request),
          result: outcome.result,
        },
        "calculated",
      );
    }
    if (stream.destroyed || stream.closed) return;
    stream.respond(RESPONSE_HEADERS, WITH_TRAILERS);
    stream.on("wantTrailers", sendOkTrailers);
    stream.end(frameMessages([CalculationResult.encode({ result: outcome.result }, writer).finish()]));
  }

  return (stream, headers, timeoutMs) => {
    const reader = new MessageReader(MAX_RECEIVE_MESSAGE_BYTES);
    let message: Buffer | undefined;
    let done = false;
    let deadline: NodeJS.Timeout | undefined;
    const end = (callStatus: CallStatus | undefined): void => {
      done = true;
      clearTimeout(deadline);
      if (callStatus !== undefined) respondWithStatus(stream, callStatus);
      else if (message === undefined) respondWithStatus(stream, NO_MESSAGE);
      else answer(stream, headers, message);
    };
    const onMessage = (received: Buffer): CallStatus | undefined => {
      if (message !== undefined) return SECOND_MESSAGE;
      message = received;
      return undefined;
    };
    if (timeoutMs !== Number.POSITIVE_INFINITY) {
      deadline = setTimeout(() => {
        if (!done) end(DEADLINE_EXCEEDED);
      }, timeoutMs);
      stream.on("close", () => clearTimeout(deadline));
    }
    stream.on("error", ignore);
    stream.on("data", (chunk: Buffer) => {
      if (done) return;
      const failure = reader.read(chunk, onMessage);
      if (failure !== undefined) end(failure);
    });
    stream.on("end", () => {
      if (!done) end(reader.midMessage ? ENDED_INSIDE_MESSAGE : undefined);
    });
  };
}

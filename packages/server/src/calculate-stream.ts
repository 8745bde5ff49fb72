/**
 * CalculateStream's fast path: the bidi method served straight on its HTTP/2 stream, in batches
 * (see fast-path.ts for when it is taken). Each incoming DATA chunk is split into the gRPC messages
 * it holds, each is decoded with the generated `BinaryOperation` codec and computed with
 * `calculate`, and all their results leave in one write: through grpc-js every streamed message is
 * its own trip through the call's object streams and its own HTTP/2 write, which a CPU profile
 * under load showed dominating. The semantics are the method's contract (calculator.proto): results
 * in request order; the first invalid request ends the call with its status and "operation N: ...".
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
  RESPONSE_HEADERS,
  statusTrailers,
  undecodable,
  WITH_TRAILERS,
  type CallStatus,
} from "./private/grpc-http2.js";

const PATH = CalculatorService.calculateStream.path;
const OK: CallStatus = { code: status.OK, details: "OK" };

/** Serves one plain CalculateStream call on `stream`; `timeoutMs` is its deadline (Infinity for none). */
export type StreamCallServer = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, timeoutMs: number) => void;

export function calculateStreamFastPath({ logger, googleCloudProject }: CalculatorHandlerOptions): StreamCallServer {
  const debug = logger.isLevelEnabled("debug");
  const warn = logger.isLevelEnabled("warn");
  const writer = new BinaryWriter();

  return (stream, headers, timeoutMs) => {
    const reader = new MessageReader(MAX_RECEIVE_MESSAGE_BYTES);
    let index = 0;
    let finished = false;
    let finalStatus = OK;
    const fields = () => ({ method: PATH, ...traceFieldsFrom(headerReader(headers), googleCloudProject) });

    stream.respond(RESPONSE_HEADERS, WITH_TRAILERS);
    stream.on("wantTrailers", () => stream.sendTrailers(statusTrailers(finalStatus)));

    const deadline =
      timeoutMs === Number.POSITIVE_INFINITY
        ? undefined
        : setTimeout(() => finish({ code: status.DEADLINE_EXCEEDED, details: "Deadline exceeded" }), timeoutMs);
    // A cancelled or reset call: stop, nothing more to send.
    stream.on("close", () => {
      finished = true;
      clearTimeout(deadline);
    });
    stream.on("error", () => undefined);

    function finish(callStatus: CallStatus): void {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      finalStatus = callStatus;
      if (debug && callStatus.code === status.OK) logger.debug({ ...fields(), operations: index }, "stream calculated");
      // Keep reading (and dropping) whatever the client still sends, so flow control never stalls it.
      stream.resume();
      if (!stream.destroyed) stream.end();
    }

    stream.on("data", (chunk: Buffer) => {
      if (finished) return;
      const results: Uint8Array[] = [];
      const failure = reader.read(chunk, (message) => {
        let request: BinaryOperation;
        try {
          request = BinaryOperation.decode(message);
        } catch (error) {
          return undecodable(error);
        }
        const outcome = calculate(request.firstOperand, request.secondOperand, request.operation);
        if (!outcome.ok) {
          if (warn)
            logger.warn(
              { ...fields(), index, request: describeRequest(request), code: outcome.code },
              `operation ${index}: ${outcome.message}`,
            );
          return { code: outcome.code, details: outcome.message };
        }
        results.push(CalculationResult.encode({ result: outcome.result }, writer).finish());
        index += 1;
        return undefined;
      });
      // Backpressure: stop reading requests while the client is not reading results.
      if (results.length > 0 && !stream.write(frameMessages(results)) && failure === undefined) {
        stream.pause();
        stream.once("drain", () => stream.resume());
      }
      if (failure !== undefined) finish({ code: failure.code, details: `operation ${index}: ${failure.details}` });
    });

    stream.on("end", () => {
      finish(
        reader.midMessage
          ? { code: status.INTERNAL, details: `operation ${index}: the request stream ended inside a message` }
          : OK,
      );
    });
  };
}

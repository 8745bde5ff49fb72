/**
 * CalculateStream's fast path: the bidi method served straight on its HTTP/2 stream, in batches.
 *
 * Why: through grpc-js every streamed message is its own trip through the call's object streams,
 * its own serialization, framing and HTTP/2 write; a CPU profile of it under load was dominated by
 * those per-message HTTP/2 writes. Here each incoming DATA chunk is parsed for all the gRPC messages it holds, each is
 * decoded with the generated `BinaryOperation` codec and computed with `calculate`, and all their
 * results leave in one write. The semantics are the method's contract (calculator.proto): results
 * in request order; the first invalid request ends the call with its status and "operation N: ...".
 *
 * Only the plain case is taken: POST, `application/grpc[+proto]`, no compression, a well-formed or
 * absent `grpc-timeout`. Anything else (compressed requests, odd headers) returns false and grpc-js
 * serves the call with the ordinary handler in calculator-service.ts, with identical results.
 * Limits still hold: concurrent streams, keepalive, connection age and ping policy act on the
 * HTTP/2 session, and messages over MAX_RECEIVE_MESSAGE_BYTES are refused here too.
 */
import { constants, type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import { status } from "@grpc/grpc-js";
import { BinaryOperation, CalculationResult, CalculatorService, operationToJSON } from "@grpc-calculator/proto";
import { calculate } from "./calculate.js";
import type { CalculatorHandlerOptions } from "./calculator-service.js";
import { MAX_RECEIVE_MESSAGE_BYTES } from "./limits.js";
import { traceFieldsFrom } from "./logger.js";
import type { StreamInterceptor } from "./private/grpc-js-internals.js";

const PATH = CalculatorService.calculateStream.path;
const FRAME_HEADER_BYTES = 5;
const TIMEOUT = /^(\d{1,8})([HMSmun])$/;
const TIMEOUT_UNIT_MS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };

/** grpc-message is percent-encoded: every byte outside printable ASCII, and '%'. */
function encodeGrpcMessage(message: string): string {
  return /^[\x20-\x24\x26-\x7e]*$/.test(message)
    ? message
    : [...Buffer.from(message)].map((byte) => (byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`)).join("");
}

function header(headers: IncomingHttpHeaders, key: string): string | undefined {
  const value = headers[key];
  return typeof value === "string" ? value : undefined;
}

/** The interceptor that serves plain CalculateStream calls; see the module comment. */
export function calculateStreamFastPath({ logger, googleCloudProject }: CalculatorHandlerOptions): StreamInterceptor {
  const debug = logger.isLevelEnabled("debug");
  const warn = logger.isLevelEnabled("warn");

  return (stream, headers) => {
    if (headers[constants.HTTP2_HEADER_PATH] !== PATH || headers[constants.HTTP2_HEADER_METHOD] !== "POST") return false;
    const contentType = header(headers, "content-type");
    if (contentType !== "application/grpc" && contentType !== "application/grpc+proto") return false;
    const encoding = header(headers, "grpc-encoding");
    if (encoding !== undefined && encoding !== "identity") return false;
    const timeoutHeader = header(headers, "grpc-timeout");
    const timeout = timeoutHeader === undefined ? null : TIMEOUT.exec(timeoutHeader);
    if (timeoutHeader !== undefined && timeout === null) return false;
    // Reset by the client before it got here: nothing to answer.
    if (stream.destroyed || stream.closed) return true;
    serve(stream, headers, timeout === null ? undefined : Math.ceil(Number(timeout[1]) * (TIMEOUT_UNIT_MS[timeout[2] ?? "S"] ?? 1000)));
    return true;
  };

  function serve(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, timeoutMs: number | undefined): void {
    let index = 0;
    let pending: Buffer | undefined;
    let finished = false;
    let finalStatus: { code: status; details: string } = { code: status.OK, details: "OK" };
    const fields = () => ({ method: PATH, ...traceFieldsFrom((key) => header(headers, key), googleCloudProject) });

    stream.respond(
      { [constants.HTTP2_HEADER_STATUS]: 200, "content-type": "application/grpc", "grpc-accept-encoding": "identity,deflate,gzip" },
      { waitForTrailers: true },
    );
    stream.on("wantTrailers", () => {
      stream.sendTrailers({ "grpc-status": String(finalStatus.code), "grpc-message": encodeGrpcMessage(finalStatus.details) });
    });

    const deadline = timeoutMs === undefined ? undefined : setTimeout(() => finish(status.DEADLINE_EXCEEDED, "Deadline exceeded"), timeoutMs);
    // A cancelled or reset call: stop, nothing more to send.
    stream.on("close", () => {
      finished = true;
      clearTimeout(deadline);
    });
    stream.on("error", () => undefined);

    function finish(code: status, details: string): void {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      finalStatus = { code, details };
      if (debug && code === status.OK) logger.debug({ ...fields(), operations: index }, "stream calculated");
      // Keep reading (and dropping) whatever the client still sends, so flow control never stalls it.
      stream.resume();
      if (!stream.destroyed) stream.end();
    }

    stream.on("data", (chunk: Buffer) => {
      if (finished) return;
      const data = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
      pending = undefined;
      const results: Uint8Array[] = [];
      let size = 0;
      let offset = 0;
      let failure: { code: status; details: string } | undefined;
      while (data.length - offset >= FRAME_HEADER_BYTES) {
        const compressed = data[offset] !== 0;
        const length = data.readUInt32BE(offset + 1);
        if (compressed) {
          failure = { code: status.INTERNAL, details: `operation ${index}: compressed message without grpc-encoding` };
          break;
        }
        if (length > MAX_RECEIVE_MESSAGE_BYTES) {
          failure = {
            code: status.RESOURCE_EXHAUSTED,
            details: `operation ${index}: received message larger than max (${length} vs. ${MAX_RECEIVE_MESSAGE_BYTES})`,
          };
          break;
        }
        if (data.length - offset - FRAME_HEADER_BYTES < length) break;
        const start = offset + FRAME_HEADER_BYTES;
        offset = start + length;
        let request: BinaryOperation;
        try {
          request = BinaryOperation.decode(data.subarray(start, offset));
        } catch (error) {
          failure = { code: status.INTERNAL, details: `operation ${index}: cannot parse the request: ${error instanceof Error ? error.message : String(error)}` };
          break;
        }
        const outcome = calculate(request.firstOperand, request.secondOperand, request.operation);
        if (!outcome.ok) {
          failure = { code: outcome.code, details: `operation ${index}: ${outcome.message}` };
          if (warn) {
            logger.warn(
              { ...fields(), index, request: { firstOperand: request.firstOperand, secondOperand: request.secondOperand, operation: operationToJSON(request.operation) }, code: outcome.code },
              failure.details,
            );
          }
          break;
        }
        const encoded = CalculationResult.encode({ result: outcome.result }).finish();
        results.push(encoded);
        size += FRAME_HEADER_BYTES + encoded.length;
        index += 1;
      }
      if (results.length > 0) {
        const out = Buffer.allocUnsafe(size);
        let at = 0;
        for (const encoded of results) {
          out[at] = 0;
          out.writeUInt32BE(encoded.length, at + 1);
          out.set(encoded, at + FRAME_HEADER_BYTES);
          at += FRAME_HEADER_BYTES + encoded.length;
        }
        // Backpressure: stop reading requests while the client is not reading results.
        if (!stream.write(out) && failure === undefined) {
          stream.pause();
          stream.once("drain", () => stream.resume());
        }
      }
      if (failure !== undefined) {
        finish(failure.code, failure.details);
        return;
      }
      if (offset < data.length) pending = Buffer.from(data.subarray(offset));
    });

    stream.on("end", () => {
      if (pending !== undefined) finish(status.INTERNAL, `operation ${index}: the request stream ended inside a message`);
      else finish(status.OK, "OK");
    });
  }
}

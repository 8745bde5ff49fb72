/**
 * How a gRPC call answers on its HTTP/2 stream (grpc/grpc doc/PROTOCOL-HTTP2.md): response headers,
 * length-prefixed messages, and `grpc-status`/`grpc-message` trailers, or a "Trailers-Only" answer
 * that carries the status in the headers.
 */
import { constants, type ServerHttp2Stream } from "node:http2";
import { status } from "@grpc/grpc-js";
import type { CallError } from "../pipeline/call-error.js";
import { stopRequestBody } from "../protocol/http2-stream.js";

/** grpc-message is percent-encoded: every byte outside printable ASCII, and '%'. */
export function encodeGrpcMessage(message: string): string {
  return /^[\x20-\x24\x26-\x7e]*$/.test(message)
    ? message
    : [...Buffer.from(message)]
        .map((byte) =>
          byte >= 0x20 && byte <= 0x7e && byte !== 0x25
            ? String.fromCharCode(byte)
            : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`,
        )
        .join("");
}

/** The response headers of a call that answers with messages (as grpc-js sends them). */
export const RESPONSE_HEADERS = Object.freeze({
  [constants.HTTP2_HEADER_STATUS]: 200,
  [constants.HTTP2_HEADER_CONTENT_TYPE]: "application/grpc",
  "grpc-accept-encoding": "identity,deflate,gzip",
  "grpc-encoding": "identity",
});

/** `respond()` options of a call whose status follows its messages in trailers. */
export const WITH_TRAILERS = Object.freeze({ waitForTrailers: true });

export const OK_TRAILERS = Object.freeze({ "grpc-status": String(status.OK), "grpc-message": "OK" });

/** The trailers of a call ending with `error` (OK_TRAILERS when there is none). */
export function statusTrailers(error: CallError | undefined): Readonly<Record<string, string>> {
  if (error === undefined) return OK_TRAILERS;
  return { "grpc-status": String(error.code), "grpc-message": encodeGrpcMessage(error.message) };
}

/** Ends a call that has sent nothing yet with only its status (a "Trailers-Only" response). */
export function respondWithStatus(stream: ServerHttp2Stream, error: CallError): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  stream.respond(
    {
      [constants.HTTP2_HEADER_STATUS]: 200,
      [constants.HTTP2_HEADER_CONTENT_TYPE]: "application/grpc",
      ...statusTrailers(error),
    },
    { endStream: true },
  );
  stopRequestBody(stream);
}

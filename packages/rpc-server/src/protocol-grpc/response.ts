/**
 * How a gRPC call answers on its HTTP/2 stream (grpc/grpc doc/PROTOCOL-HTTP2.md): response headers,
 * length-prefixed messages, and `grpc-status`/`grpc-message` trailers, or a "Trailers-Only" answer
 * that carries the status in the headers. A handler's own headers and trailers (CallContext's
 * `responseHeader`, `responseTrailer`) go out with them.
 */
import { constants, type OutgoingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import { status } from "@grpc/grpc-js";
import { userHeaders, type TransportCallContext } from "../call-context.js";
import type { CallError } from "../call-error.js";
import { stopRequestBody } from "../protocol/http2-stream.js";
import { encodeStatus, STATUS_DETAILS_HEADER } from "../protocol/status-details.js";

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

/** `base` with the handler's own headers added (`base` itself when it set none). */
function withUserHeaders(base: Readonly<OutgoingHttpHeaders>, headers: Headers | undefined): OutgoingHttpHeaders {
  if (headers === undefined) return base;
  const merged: OutgoingHttpHeaders = { ...base };
  for (const [name, value] of userHeaders(headers)) merged[name] = value;
  return merged;
}

/** The response headers of `context`'s call. */
export function responseHeaders(context: TransportCallContext): OutgoingHttpHeaders {
  return withUserHeaders(RESPONSE_HEADERS, context.setResponseHeader);
}

/** `grpc-status` and `grpc-message` of `error`, and `grpc-status-details-bin` when it has details. */
function errorTrailers(error: CallError): OutgoingHttpHeaders {
  const trailers: OutgoingHttpHeaders = {
    "grpc-status": String(error.code),
    "grpc-message": encodeGrpcMessage(error.message),
  };
  // Base64 with padding, as grpc-js sends binary metadata (the fallback path's answer is the same).
  if (error.details.length > 0) trailers[STATUS_DETAILS_HEADER] = Buffer.from(encodeStatus(error)).toString("base64");
  return trailers;
}

/** The trailers of a call ending with `error` (OK when there is none), with the handler's trailers. */
export function statusTrailers(error: CallError | undefined, context?: TransportCallContext): OutgoingHttpHeaders {
  return withUserHeaders(error === undefined ? OK_TRAILERS : errorTrailers(error), context?.setResponseTrailer);
}

/** Ends a call that has sent nothing yet with only its status (a "Trailers-Only" response). */
export function respondWithStatus(stream: ServerHttp2Stream, error: CallError, context?: TransportCallContext): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  const headers = {
    [constants.HTTP2_HEADER_STATUS]: 200,
    [constants.HTTP2_HEADER_CONTENT_TYPE]: "application/grpc",
    ...(context === undefined ? {} : withUserHeaders({}, context.setResponseHeader)),
    ...statusTrailers(error, context),
  };
  stream.respond(headers, { endStream: true });
  stopRequestBody(stream);
}

/**
 * gRPC-Web's unary call (grpc/grpc doc/PROTOCOL-WEB.md), direct path: a POST of one length-prefixed
 * message as `application/grpc-web` or `application/grpc-web+proto`, uncompressed. The answer is
 * HTTP 200 with the response message and a trailer frame (flag 0x80) carrying `grpc-status` and
 * `grpc-message`, which browsers can read where they cannot read HTTP trailers. As with Connect, the
 * protocol's rules (content types, timeouts, trailer encoding, protocol errors) are connect-es's, so
 * this path and the library path answer alike.
 */
import { status } from "@grpc/grpc-js";
import {
  contentTypeProto,
  parseContentType,
  parseTimeout,
  setTrailerStatus,
  trailerFlag,
  trailerSerialize,
} from "@connectrpc/connect/protocol-grpc-web";
import { MAX_RECEIVE_MESSAGE_BYTES } from "../limits.js";
import { CallError } from "../call-error.js";
import { decodeRequest, encodeResponse } from "../protocol/binary-codec.js";
import { ENVELOPE_HEADER_BYTES, EnvelopeReader, encodeEnvelopes } from "../protocol/envelope.js";
import { MAX_TIMER_MS } from "../protocol/timeouts.js";
import { toConnectError } from "../web/connect-errors.js";
import type { HttpExchange } from "../web/http-exchange.js";
import type { UnaryWireFormat } from "../web/unary-exchange.js";

// connect-es's words for the same protocol errors.
const NO_MESSAGE = new CallError(status.UNIMPLEMENTED, "protocol error: missing input message for unary method");
const SECOND_MESSAGE = new CallError(
  status.UNIMPLEMENTED,
  "protocol error: received extra input message for unary method",
);
const INCOMPLETE = new CallError(status.INVALID_ARGUMENT, "protocol error: incomplete envelope");

const HEADERS = Object.freeze({ "content-type": contentTypeProto });

function trailerFrame(error: CallError | undefined): Buffer {
  const trailer = new Headers({ "grpc-status": "0" });
  if (error !== undefined) setTrailerStatus(trailer, toConnectError(error));
  const data = trailerSerialize(trailer);
  const frame = encodeEnvelopes([data]);
  frame[0] = trailerFlag;
  return frame;
}

// Built on the first gRPC-Web answer, not at import: the WHATWG `Headers` that connect-es's trailer
// functions take is Node's internal undici, loaded on first touch. Built at import, it made every first
// web call pay for it, Connect's too: measured by the bench, the server CPU of the first Connect JSON call
// after start went from 91 to 62 ms with this change (the rest is protobuf-es booting its descriptors).
let okTrailer: Buffer | undefined;

const grpcWebProto: UnaryWireFormat = {
  // One envelope: a 5-byte prefix and the message.
  maxBodyBytes: ENVELOPE_HEADER_BYTES + MAX_RECEIVE_MESSAGE_BYTES,
  decode(body) {
    let message: Buffer | undefined;
    const reader = new EnvelopeReader(MAX_RECEIVE_MESSAGE_BYTES, trailerFlag);
    const failure = reader.read(body, (received) => {
      if (message !== undefined) return SECOND_MESSAGE;
      message = received;
      return undefined;
    });
    if (failure !== undefined) return failure;
    if (reader.midMessage) return INCOMPLETE;
    return message === undefined ? NO_MESSAGE : decodeRequest(message);
  },
  answer: (response) => ({
    status: 200,
    headers: HEADERS,
    body: Buffer.concat([encodeEnvelopes([encodeResponse(response)]), (okTrailer ??= trailerFrame(undefined))]),
  }),
  fail: (error) => ({ status: 200, headers: HEADERS, body: trailerFrame(error) }),
};

/**
 * The wire format and deadline of a gRPC-Web unary call the direct path serves, or undefined when
 * connect-es should serve it (`-text`, `+json`, compression, a timeout it would refuse).
 */
export function directGrpcWebUnary(exchange: HttpExchange): { format: UnaryWireFormat; timeoutMs: number } | undefined {
  if (exchange.method !== "POST") return undefined;
  const type = parseContentType(exchange.header("content-type") ?? null);
  if (type === undefined || type.text || !type.binary) return undefined;
  const encoding = exchange.header("grpc-encoding");
  if (encoding !== undefined && encoding !== "identity") return undefined;
  const timeout = parseTimeout(exchange.header("grpc-timeout") ?? null, MAX_TIMER_MS);
  if (timeout.error !== undefined) return undefined;
  return { format: grpcWebProto, timeoutMs: timeout.timeoutMs ?? Number.POSITIVE_INFINITY };
}

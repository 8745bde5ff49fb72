/**
 * gRPC-Web's unary call (grpc/grpc doc/PROTOCOL-WEB.md), direct path: a POST of one length-prefixed
 * message as `application/grpc-web` or `application/grpc-web+proto`, uncompressed. The answer is
 * HTTP 200 with the response message and a trailer frame (flag 0x80) carrying `grpc-status`,
 * `grpc-message` and the handler's trailers, which browsers can read where they cannot read HTTP
 * trailers. As with Connect, the protocol's rules (content types, timeouts, trailer encoding) are
 * connect-es's, so this path and the library path answer alike.
 */
import { contentTypeProto, parseContentType, parseTimeout, trailerFlag } from "@connectrpc/connect/protocol-grpc-web";
import { wireErrors } from "../call-error.js";
import { decodeMessage } from "../protocol/codec.js";
import { ENVELOPE_HEADER_BYTES, EnvelopeReader, encodeEnvelopes } from "../protocol/envelope.js";
import { MAX_TIMER_MS } from "../protocol/timeouts.js";
import type { MethodInfo } from "../service.js";
import type { HttpExchange } from "../web/http-exchange.js";
import type { UnaryWireFormat } from "../web/unary-exchange.js";
import { trailerFrame } from "./trailer.js";

const HEADERS = Object.freeze({ "content-type": contentTypeProto });

/** gRPC-Web's binary unary format of `method`. */
export function grpcWebUnaryFormat(method: MethodInfo, maxMessageBytes: number): UnaryWireFormat {
  return {
    // One envelope: a 5-byte prefix and the message (and a trailer frame a client may send).
    maxBodyBytes: 2 * ENVELOPE_HEADER_BYTES + maxMessageBytes,
    decode(body) {
      let message: Buffer | undefined;
      const reader = new EnvelopeReader(maxMessageBytes, trailerFlag);
      const failure = reader.read(body, (received) => {
        if (message !== undefined) return wireErrors.secondRequest;
        message = received;
        return undefined;
      });
      if (failure !== undefined) return failure;
      if (reader.midMessage) return wireErrors.endedInsideMessage;
      return message === undefined ? wireErrors.noRequest : decodeMessage(method, message);
    },
    answer: (response, trailers) => ({
      status: 200,
      headers: HEADERS,
      body: Buffer.concat([encodeEnvelopes([method.encode(response)]), trailerFrame(undefined, trailers)]),
    }),
    fail: (error, trailers) => ({ status: 200, headers: HEADERS, body: trailerFrame(error, trailers) }),
  };
}

/**
 * The deadline of a gRPC-Web call the direct path serves (any kind), or undefined when connect-es
 * should serve it (`-text`, `+json`, compression, a timeout it would refuse).
 */
export function directGrpcWeb(exchange: HttpExchange): { timeoutMs: number } | undefined {
  if (exchange.method !== "POST") return undefined;
  const type = parseContentType(exchange.header("content-type") ?? null);
  if (type === undefined || type.text || !type.binary) return undefined;
  const encoding = exchange.header("grpc-encoding");
  if (encoding !== undefined && encoding !== "identity") return undefined;
  const timeout = parseTimeout(exchange.header("grpc-timeout") ?? null, MAX_TIMER_MS);
  if (timeout.error !== undefined) return undefined;
  return { timeoutMs: timeout.timeoutMs ?? Number.POSITIVE_INFINITY };
}

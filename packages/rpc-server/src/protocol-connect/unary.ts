/**
 * Connect's unary protocol (https://connectrpc.com/docs/protocol#unary-request), direct path: a POST
 * of one message as `application/json` or `application/proto`, uncompressed. The answer is the
 * response message with HTTP 200, or a Connect error body (`{"code":"invalid_argument","message":…}`)
 * with the HTTP status the protocol maps each code to. The protocol's rules come from connect-es
 * (content types, timeouts, status mapping, error bodies, the JSON codec), so the direct path and
 * the library path answer alike; what the direct path saves is connect-es's per-call machinery.
 */
import { create } from "@bufbuild/protobuf";
import { createMethodSerializationLookup } from "@connectrpc/connect/protocol";
import {
  codeToHttpStatus,
  contentTypeUnaryJson,
  contentTypeUnaryProto,
  errorToJsonBytes,
  parseContentType,
  parseTimeout,
} from "@connectrpc/connect/protocol-connect";
import { MAX_RECEIVE_MESSAGE_BYTES, MAX_SEND_MESSAGE_BYTES } from "../limits.js";
import type { BinaryOperation } from "@grpc-calculator/proto";
import type { CallError } from "../call-error.js";
import { decodeRequest, encodeResponse } from "../protocol/binary-codec.js";
import { MAX_TIMER_MS } from "../protocol/timeouts.js";
import { fromConnectError, toConnectError } from "../web/connect-errors.js";
import { calculateMethod, JSON_OPTIONS } from "../web/descriptors.js";
import type { HttpExchange } from "../web/http-exchange.js";
import type { UnaryWireFormat } from "../web/unary-exchange.js";

// connect-es's own JSON codec for the method, as its router builds it.
const serialization = createMethodSerializationLookup(calculateMethod, undefined, JSON_OPTIONS, {
  readMaxBytes: MAX_RECEIVE_MESSAGE_BYTES,
  writeMaxBytes: MAX_SEND_MESSAGE_BYTES,
});
const requestJson = serialization.getI(false);
const responseJson = serialization.getO(false);

function failure(error: CallError): ReturnType<UnaryWireFormat["fail"]> {
  return {
    status: codeToHttpStatus(toConnectError(error).code),
    headers: { "content-type": contentTypeUnaryJson },
    body: errorToJsonBytes(toConnectError(error), JSON_OPTIONS),
  };
}

const json: UnaryWireFormat = {
  maxBodyBytes: MAX_RECEIVE_MESSAGE_BYTES,
  decode(body) {
    try {
      // A protobuf-es message of the runtime descriptor: the same fields as ts-proto's BinaryOperation.
      return requestJson.parse(body) as unknown as BinaryOperation;
    } catch (error) {
      return fromConnectError(error);
    }
  },
  answer: (response) => ({
    status: 200,
    headers: { "content-type": contentTypeUnaryJson },
    body: responseJson.serialize(create(calculateMethod.output, { ...response })),
  }),
  fail: failure,
};

const proto: UnaryWireFormat = {
  maxBodyBytes: MAX_RECEIVE_MESSAGE_BYTES,
  decode: decodeRequest,
  answer: (response) => ({
    status: 200,
    headers: { "content-type": contentTypeUnaryProto },
    body: encodeResponse(response),
  }),
  fail: failure,
};

/**
 * The wire format and deadline of a Connect unary call the direct path serves, or undefined when
 * connect-es should serve it (GET, compression, streaming content types, a timeout it would refuse).
 */
export function directConnectUnary(exchange: HttpExchange): { format: UnaryWireFormat; timeoutMs: number } | undefined {
  if (exchange.method !== "POST") return undefined;
  const type = parseContentType(exchange.header("content-type") ?? null);
  if (type === undefined || type.stream) return undefined;
  const encoding = exchange.header("content-encoding");
  if (encoding !== undefined && encoding !== "identity") return undefined;
  const timeout = parseTimeout(exchange.header("connect-timeout-ms") ?? null, MAX_TIMER_MS);
  if (timeout.error !== undefined) return undefined;
  return { format: type.binary ? proto : json, timeoutMs: timeout.timeoutMs ?? Number.POSITIVE_INFINITY };
}

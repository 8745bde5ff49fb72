/**
 * Connect's unary protocol (https://connectrpc.com/docs/protocol#unary-request), direct path: a POST
 * of one message as `application/json` or `application/proto`, uncompressed. The answer is the
 * response message with HTTP 200, or a Connect error body (`{"code":"invalid_argument","message":…}`)
 * with the HTTP status the protocol maps each code to. The protocol's rules come from connect-es
 * (content types, timeouts, status mapping, error bodies, the JSON codec), so the direct path and
 * the library path answer alike; what the direct path saves is connect-es's per-call machinery.
 * A handler's headers go out as HTTP headers, its trailers as `trailer-`-prefixed headers.
 */
import type { OutgoingHttpHeaders } from "node:http";
import {
  codeToHttpStatus,
  contentTypeUnaryJson,
  contentTypeUnaryProto,
  errorToJsonBytes,
  parseContentType,
  parseTimeout,
} from "@connectrpc/connect/protocol-connect";
import { userHeaders } from "../call-context.js";
import type { CallError } from "../call-error.js";
import { decodeMessage } from "../protocol/codec.js";
import { MAX_TIMER_MS } from "../protocol/timeouts.js";
import type { MethodInfo } from "../service.js";
import { fromConnectError, toConnectError } from "../web/connect-errors.js";
import { JSON_OPTIONS, type MethodCodec } from "../web/descriptors.js";
import type { HttpExchange } from "../web/http-exchange.js";
import type { UnaryWireFormat, WireResponse } from "../web/unary-exchange.js";

/**
 * `headers` with the handler's trailers as Connect's unary protocol carries them (`trailer-` headers);
 * REST sends them the same way.
 */
export function withTrailerHeaders(headers: OutgoingHttpHeaders, trailers: Headers | undefined): OutgoingHttpHeaders {
  const pairs = userHeaders(trailers);
  if (pairs.length === 0) return headers;
  const merged = { ...headers };
  for (const [name, value] of pairs) merged[`trailer-${name}`] = value;
  return merged;
}

const JSON_HEADERS = Object.freeze({ "content-type": contentTypeUnaryJson });
const PROTO_HEADERS = Object.freeze({ "content-type": contentTypeUnaryProto });

function failure(error: CallError, trailers: Headers | undefined): WireResponse {
  return {
    status: codeToHttpStatus(toConnectError(error).code),
    headers: withTrailerHeaders(JSON_HEADERS, trailers),
    body: errorToJsonBytes(toConnectError(error), JSON_OPTIONS),
  };
}

/** Connect's unary formats of `method`: JSON (with the method's JSON codec) and proto. */
export function connectUnaryFormats(
  method: MethodInfo,
  codec: () => MethodCodec | undefined,
  maxBodyBytes: number,
): { json: UnaryWireFormat | undefined; proto: UnaryWireFormat } {
  const proto: UnaryWireFormat = {
    maxBodyBytes,
    decode: (body) => decodeMessage(method, body),
    answer: (response, trailers) => ({
      status: 200,
      headers: withTrailerHeaders(PROTO_HEADERS, trailers),
      body: method.encode(response),
    }),
    fail: failure,
  };
  const json = codec();
  if (json === undefined) return { json: undefined, proto };
  return {
    proto,
    json: {
      maxBodyBytes,
      decode(body) {
        try {
          return json.requestFromJson(body);
        } catch (error) {
          return fromConnectError(error);
        }
      },
      answer: (response, trailers) => ({
        status: 200,
        headers: withTrailerHeaders(JSON_HEADERS, trailers),
        body: json.responseToJson(response),
      }),
      fail: failure,
    },
  };
}

/**
 * Whether a Connect unary call is one the direct path serves (binary or JSON), with its deadline;
 * undefined when connect-es should serve it (GET, compression, streaming content types, a timeout it
 * would refuse).
 */
export function directConnectUnary(exchange: HttpExchange): { binary: boolean; timeoutMs: number } | undefined {
  if (exchange.method !== "POST") return undefined;
  const type = parseContentType(exchange.header("content-type") ?? null);
  if (type === undefined || type.stream) return undefined;
  const encoding = exchange.header("content-encoding");
  if (encoding !== undefined && encoding !== "identity") return undefined;
  const timeout = parseTimeout(exchange.header("connect-timeout-ms") ?? null, MAX_TIMER_MS);
  if (timeout.error !== undefined) return undefined;
  return { binary: type.binary, timeoutMs: timeout.timeoutMs ?? Number.POSITIVE_INFINITY };
}

/**
 * Connect's streaming protocol (https://connectrpc.com/docs/protocol#streaming-request), direct path:
 * a POST of length-prefixed messages as `application/connect+proto` or `application/connect+json`,
 * uncompressed, for server, client and bidi streaming. The answer is HTTP 200 with the response
 * messages and an end-of-stream message (flag 0x02) holding the error, if any, and the handler's
 * trailers as JSON — encoded by connect-es's own functions, as its router would.
 */
import {
  contentTypeStreamJson,
  contentTypeStreamProto,
  endStreamFlag,
  endStreamToJson,
  parseContentType,
  parseTimeout,
} from "@connectrpc/connect/protocol-connect";
import { userHeaders } from "../call-context.js";
import { decodeMessage } from "../protocol/codec.js";
import { encodeEnvelopes } from "../protocol/envelope.js";
import { MAX_TIMER_MS } from "../protocol/timeouts.js";
import type { MethodInfo } from "../service.js";
import { fromConnectError, toConnectError } from "../web/connect-errors.js";
import { JSON_OPTIONS, type MethodCodec } from "../web/descriptors.js";
import type { HttpExchange } from "../web/http-exchange.js";
import type { StreamWireFormat } from "../web/stream-exchange.js";

const encoder = new TextEncoder();

function endStream(...[error, trailers]: Parameters<StreamWireFormat["end"]>): Uint8Array {
  const metadata = new Headers(userHeaders(trailers));
  const json = endStreamToJson(metadata, error === undefined ? undefined : toConnectError(error), JSON_OPTIONS);
  const envelope = encodeEnvelopes([encoder.encode(JSON.stringify(json))]);
  envelope[0] = endStreamFlag;
  return envelope;
}

/** Connect's streaming formats of `method`: proto, and JSON with the method's JSON codec. */
export function connectStreamFormats(
  method: MethodInfo,
  codec: () => MethodCodec | undefined,
): { json: StreamWireFormat | undefined; proto: StreamWireFormat } {
  const proto: StreamWireFormat = {
    contentType: contentTypeStreamProto,
    skipFlag: 0,
    decode: (message) => decodeMessage(method, message),
    encode: (response) => method.encode(response),
    end: endStream,
  };
  const json = codec();
  if (json === undefined) return { json: undefined, proto };
  return {
    proto,
    json: {
      contentType: contentTypeStreamJson,
      skipFlag: 0,
      decode(message) {
        try {
          return json.requestFromJson(message);
        } catch (error) {
          return fromConnectError(error);
        }
      },
      encode: (response) => json.responseToJson(response),
      end: endStream,
    },
  };
}

/**
 * Whether a Connect streaming call is one the direct path serves (binary or JSON), with its deadline;
 * undefined when connect-es should serve it (compression, a unary content type, a timeout it would refuse).
 */
export function directConnectStream(exchange: HttpExchange): { binary: boolean; timeoutMs: number } | undefined {
  if (exchange.method !== "POST") return undefined;
  const type = parseContentType(exchange.header("content-type") ?? null);
  if (type === undefined || !type.stream) return undefined;
  const encoding = exchange.header("connect-content-encoding");
  if (encoding !== undefined && encoding !== "identity") return undefined;
  const timeout = parseTimeout(exchange.header("connect-timeout-ms") ?? null, MAX_TIMER_MS);
  if (timeout.error !== undefined) return undefined;
  return { binary: type.binary, timeoutMs: timeout.timeoutMs ?? Number.POSITIVE_INFINITY };
}

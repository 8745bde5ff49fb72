/**
 * gRPC-Web's streaming call (grpc/grpc doc/PROTOCOL-WEB.md), direct path: length-prefixed messages as
 * `application/grpc-web(+proto)`, uncompressed, answered by the response messages and the trailer
 * frame (trailer.ts). Browsers send one request (server streaming); over HTTP/2 other clients may
 * stream requests too. A trailer frame a client sends is skipped, as connect-es does.
 */
import { contentTypeProto, trailerFlag } from "@connectrpc/connect/protocol-grpc-web";
import { decodeMessage } from "../protocol/codec.js";
import type { MethodInfo } from "../service.js";
import type { StreamWireFormat } from "../web/stream-exchange.js";
import { trailerFrame } from "./trailer.js";

export function grpcWebStreamFormat(method: MethodInfo): StreamWireFormat {
  return {
    contentType: contentTypeProto,
    skipFlag: trailerFlag,
    decode: (message) => decodeMessage(method, message),
    encode: (response) => method.encode(response),
    end: trailerFrame,
  };
}

/**
 * Which gRPC calls the direct path takes: the plain case (POST, `application/grpc[+proto]`, no
 * compression, a well-formed or absent `grpc-timeout`). Anything else, such as compressed requests
 * or malformed headers, is left to grpc-js, which serves or refuses it as usual.
 */
import { constants, type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import { TransportCallContext } from "../call-context.js";
import { headerLookup, peerOf } from "../protocol/http-request.js";
import { parseGrpcTimeoutMs } from "../protocol/timeouts.js";
import type { MethodInfo } from "../service.js";

/** True for a gRPC content type (`application/grpc`, `application/grpc+…`), not gRPC-Web's. */
export function isGrpcContentType(contentType: string | undefined): boolean {
  return (
    contentType !== undefined &&
    contentType.startsWith("application/grpc") &&
    (contentType.length === 16 || contentType[16] === "+" || contentType[16] === ";")
  );
}

/** The call's deadline in ms from now (Infinity for none) when the direct path serves it, else undefined. */
export function directCallTimeoutMs(headers: IncomingHttpHeaders): number | undefined {
  if (headers[constants.HTTP2_HEADER_METHOD] !== "POST") return undefined;
  const contentType = headers[constants.HTTP2_HEADER_CONTENT_TYPE];
  if (contentType !== "application/grpc" && contentType !== "application/grpc+proto") return undefined;
  const encoding = headers["grpc-encoding"];
  if (encoding !== undefined && encoding !== "identity") return undefined;
  return parseGrpcTimeoutMs(headers["grpc-timeout"]);
}

/** The context of a gRPC call the direct path serves. */
export function grpcCallContext(
  method: MethodInfo,
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  timeoutMs: number,
): TransportCallContext {
  return new TransportCallContext(
    method,
    "grpc",
    "direct",
    "2",
    headerLookup(headers),
    () => peerOf(stream.session?.socket),
    timeoutMs,
  );
}

/** What every protocol on an HTTP/2 stream does the same way. */
import { constants, type ServerHttp2Stream } from "node:http2";

/**
 * After the server's last frame: a client still sending its request is asked to stop with
 * RST_STREAM NO_ERROR (RFC 9113 §8.1; gRPC core and grpc-go do the same), so a refused or
 * failed call does not go on uploading. The response already sent stands.
 */
export function stopRequestBody(stream: ServerHttp2Stream): void {
  if (!stream.readableEnded && !stream.destroyed) stream.close(constants.NGHTTP2_NO_ERROR);
}

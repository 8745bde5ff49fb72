/**
 * gRPC's direct path: every call of a served method, whatever its kind, served straight on its
 * HTTP/2 stream (unary.ts, stream.ts) instead of through grpc-js.
 *
 * Why: grpc-js builds a chain of objects, closures and Metadata for every call (interceptors,
 * handler wrappers, object streams), and a CPU profile under load showed that per-call work and
 * the garbage it leaves as the server's largest cost after Node's HTTP/2 itself. For small
 * messages, that is most of the price of a call, which is what Cloud Run bills. The benchmark
 * (apps/bench) measures the difference against a plain grpc-js server.
 *
 * Only the plain case is taken (request.ts). Anything else, and every method the engine does not
 * serve (grpc-js services such as health and reflection), is left to grpc-js, which serves the
 * engine's methods through the same pipeline (src/protocol-grpc-js). Limits still hold: concurrent
 * streams, keepalive, connection age and idle time, and the ping policy act on the HTTP/2 session;
 * messages over the receive limit are refused here too.
 */
import { constants, type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import type { Pipelines } from "../pipeline/pipeline.js";
import { directCallTimeoutMs } from "./request.js";
import { grpcStream } from "./stream.js";
import { grpcUnary, type GrpcCallServer } from "./unary.js";

/** Serves a gRPC call if it is one the direct path takes; false leaves it to grpc-js. */
export type DirectGrpcHandler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => boolean;

export function directGrpcHandler(pipelines: Pipelines, maxMessageBytes: number): DirectGrpcHandler {
  const servers = new Map<string, GrpcCallServer>();
  for (const [path, pipeline] of pipelines) {
    servers.set(
      path,
      pipeline.kind === "unary" ? grpcUnary(pipeline, maxMessageBytes) : grpcStream(pipeline, maxMessageBytes),
    );
  }
  return (stream, headers) => {
    const path = headers[constants.HTTP2_HEADER_PATH];
    const serve = typeof path === "string" ? servers.get(path) : undefined;
    if (serve === undefined) return false;
    const timeoutMs = directCallTimeoutMs(headers);
    if (timeoutMs === undefined) return false;
    // Reset by the client before it got here: nothing to answer.
    if (!stream.destroyed && !stream.closed) serve(stream, headers, timeoutMs);
    return true;
  };
}

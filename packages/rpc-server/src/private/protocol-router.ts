/**
 * The protocol router: the one module that reaches into @grpc/grpc-js's private state.
 *
 * Every HTTP/2 connection is handed to grpc-js through its public connection injector
 * (`Server.createConnectionInjector`), so grpc-js applies its session limits (keepalive, connection
 * age and idle time, concurrent streams) to all of them. grpc-js then serves every stream as gRPC:
 * it would answer a gRPC-Web request as plain gRPC (status in HTTP/2 trailers, which browsers
 * cannot read) and refuse Connect with 415. So the router puts itself in front of grpc-js's 'stream'
 * listener on the injector's HTTP/2 server — private state: grpc-js has no public hook for its
 * streams or sessions — and routes each stream:
 *
 *   gRPC (`application/grpc…`), a plain call of a served method → the direct gRPC path (protocol-grpc/)
 *   gRPC, anything else (health, reflection, compressed) → grpc-js
 *   anything else (gRPC-Web, Connect, CORS preflights)    → the web protocols (web/)
 *
 * It also gives the ping policy (ping-policy.ts) the sessions it watches.
 *
 * Checked against the exact @grpc/grpc-js version package.json pins; test/protocol-router.test.ts
 * fails when the router does not engage on it. If a grpc-js upgrade changes what this relies on,
 * `engaged` is false: every HTTP/2 stream then goes to grpc-js (gRPC works; gRPC-Web over HTTP/2
 * gets a gRPC answer its clients reject as missing its status, Connect over HTTP/2 gets 415), the
 * web protocols keep working over HTTP/1.1, and the server logs one error line.
 */
import type { Http2Server, IncomingHttpHeaders, ServerHttp2Session, ServerHttp2Stream } from "node:http2";
import type { Duplex } from "node:stream";
import { ServerCredentials, type Server } from "@grpc/grpc-js";
import { isGrpcContentType } from "../protocol-grpc/request.js";

export interface StreamRoutes {
  /** Serves a gRPC stream the direct path takes; false leaves it to grpc-js. */
  readonly grpc: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => boolean;
  /** Serves any stream that is not gRPC. */
  readonly web: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void;
}

export interface ProtocolRouter {
  /** False when grpc-js's internals are not what the router expects: grpc-js serves every stream. */
  readonly engaged: boolean;
  /** Hands an HTTP/2 connection (cleartext, or TLS after ALPN chose h2) to grpc-js. */
  readonly injectConnection: (connection: Duplex) => void;
  /** Calls `listener` for every new HTTP/2 session; false when the router is not engaged. */
  readonly onSession: (listener: (session: ServerHttp2Session) => void) => boolean;
}

function ignore(): void {}

type StreamListener = (
  this: unknown,
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  flags: unknown,
  rawHeaders: unknown,
) => void;

/** The HTTP/2 servers a grpc-js `Server` keeps (private: `Server.http2Servers`), or undefined. */
function http2ServersOf(server: Server): Set<Http2Server> | undefined {
  const http2Servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(http2Servers instanceof Map)) return undefined;
  const servers = new Set(http2Servers.keys() as IterableIterator<Http2Server>);
  for (const candidate of servers) if (typeof candidate.listeners !== "function") return undefined;
  return servers;
}

/**
 * Creates grpc-js's connection injector for `server` (TLS, when used, is terminated before) and,
 * where grpc-js is as expected, routes its streams as the module comment says.
 */
export function createProtocolRouter(server: Server, routes: StreamRoutes, enable = true): ProtocolRouter {
  const before = http2ServersOf(server);
  const injector = server.createConnectionInjector(ServerCredentials.createInsecure());
  const added = [...(http2ServersOf(server) ?? [])].filter((candidate) => before?.has(candidate) === false);
  const http2Server = added.length === 1 ? added[0] : undefined;
  const grpcJsListeners = (http2Server?.listeners("stream") ?? []) as StreamListener[];
  // grpc-js counts each connection's open streams for `grpc.max_connection_idle_ms` (private:
  // `Server.onStreamOpened`); the streams served here must be counted too, or a connection busy with
  // them would be closed as idle. Without it the router does not engage.
  const onStreamOpened = (server as unknown as { onStreamOpened?: unknown }).onStreamOpened;
  const engaged =
    enable && http2Server !== undefined && grpcJsListeners.length > 0 && typeof onStreamOpened === "function";

  if (engaged) {
    const countStream = (stream: ServerHttp2Stream): void => void onStreamOpened.call(server, stream);
    http2Server.removeAllListeners("stream");
    // Node's 'stream' arguments spelled out (stream, headers, flags, rawHeaders): no rest array and
    // spread on every call.
    http2Server.on("stream", function (this: unknown, stream, headers, flags, rawHeaders) {
      // A client may reset a stream as it opens it (connect-node does at a deadline), or later: the
      // error then reaches the stream's 'error' event, which must never go unheard (this listener is
      // the one for every path behind the router), and a stream already gone has nothing to answer
      // (grpc-js would throw trying to).
      stream.on("error", ignore);
      if (stream.destroyed || stream.closed) return;
      if (isGrpcContentType(headers["content-type"])) {
        if (!routes.grpc(stream, headers)) {
          for (const listener of grpcJsListeners) listener.call(this, stream, headers, flags, rawHeaders);
          return;
        }
      } else {
        routes.web(stream, headers);
      }
      countStream(stream);
    } as StreamListener);
  }

  return {
    engaged,
    injectConnection: (connection) => injector.injectConnection(connection),
    onSession(listener) {
      if (!engaged) return false;
      http2Server.on("session", listener);
      return true;
    },
  };
}

/**
 * The one place that reaches into grpc-js's private state: the HTTP/2 servers a `Server` has bound.
 * grpc-js offers no public hook for its HTTP/2 sessions and streams, and this package needs two:
 * ping abuse protection (private/ping-policy.ts) and the batched CalculateStream path
 * (calculate-stream.ts). Callers treat `undefined` as "internals changed": they log a warning and
 * the server keeps working on grpc-js's own behaviour. Checked against @grpc/grpc-js 1.14.
 */
import type { Http2SecureServer, Http2Server, IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import type { Server } from "@grpc/grpc-js";

export type AnyHttp2Server = Http2Server | Http2SecureServer;

/** The HTTP/2 servers behind a bound grpc-js `Server`, or undefined if grpc-js's internals differ. */
export function http2ServersOf(server: Server): AnyHttp2Server[] | undefined {
  const http2Servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(http2Servers instanceof Map)) return undefined;
  const servers = [...(http2Servers.keys() as IterableIterator<unknown>)];
  const valid = servers.every((candidate) => typeof (candidate as { listeners?: unknown }).listeners === "function");
  return valid && servers.length > 0 ? (servers as AnyHttp2Server[]) : undefined;
}

/** Takes a stream before grpc-js sees it; returns false to let grpc-js handle it as usual. */
export type StreamInterceptor = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => boolean;

/**
 * Puts `intercept` in front of grpc-js's 'stream' handlers on every HTTP/2 server of `server`.
 * Returns false (and changes nothing) if grpc-js's internals differ.
 */
export function interceptStreams(server: Server, intercept: StreamInterceptor): boolean {
  const http2Servers = http2ServersOf(server);
  if (http2Servers === undefined) return false;
  const originals = http2Servers.map(
    (http2Server) => http2Server.listeners("stream") as ((...args: unknown[]) => void)[],
  );
  if (originals.some((listeners) => listeners.length === 0)) return false;
  // grpc-js counts each connection's open streams for `grpc.max_connection_idle_ms`; count ours too,
  // so a connection busy with an intercepted stream is not closed as idle.
  const onStreamOpened = (server as unknown as { onStreamOpened?: unknown }).onStreamOpened;
  const countStream = (stream: ServerHttp2Stream): void => {
    if (typeof onStreamOpened === "function") onStreamOpened.call(server, stream);
  };
  http2Servers.forEach((http2Server, i) => {
    const listeners = originals[i] ?? [];
    http2Server.removeAllListeners("stream");
    // Node's 'stream' arguments spelled out (stream, headers, flags, rawHeaders): no rest array and
    // spread on every call.
    http2Server.on(
      "stream",
      function (
        this: unknown,
        stream: ServerHttp2Stream,
        headers: IncomingHttpHeaders,
        flags: unknown,
        rawHeaders: unknown,
      ) {
        if (intercept(stream, headers)) {
          countStream(stream);
          return;
        }
        for (const listener of listeners) listener.call(this, stream, headers, flags, rawHeaders);
      },
    );
  });
  return true;
}

/**
 * HTTP/1.1 on the shared port (see listener.ts): the web protocols for clients that cannot speak
 * h2c — browsers on http://, `curl http://…`, `fetch` in Node. Node's parser refuses malformed and
 * ambiguous requests (both Content-Length and Transfer-Encoding: 400) before they reach us; the
 * timeouts below bound slow clients.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { HTTP1_HEADERS_TIMEOUT_MS, HTTP1_KEEP_ALIVE_TIMEOUT_MS } from "../limits.js";

export interface Http1Server {
  /** Serves HTTP/1.1 on an accepted connection. */
  readonly accept: (connection: Duplex) => void;
  /**
   * Graceful shutdown: idle connections close now, requests in flight finish and then close their
   * connection, a request still arriving is answered 503.
   */
  readonly drain: () => void;
}

const SHUTTING_DOWN = JSON.stringify({ code: "unavailable", message: "the server is shutting down" });

export function createHttp1Server(
  handle: (request: IncomingMessage, response: ServerResponse) => void,
  requestTimeoutMs: number,
): Http1Server {
  let draining = false;
  const inFlight = new Set<ServerResponse>();
  const server = createServer(
    {
      requestTimeout: requestTimeoutMs,
      headersTimeout: Math.min(HTTP1_HEADERS_TIMEOUT_MS, requestTimeoutMs),
      keepAliveTimeout: HTTP1_KEEP_ALIVE_TIMEOUT_MS,
      // How often Node looks for requests past those timeouts (its default, 30 s, would let one run 30 s late).
      connectionsCheckingInterval: 1000,
    },
    (request, response) => {
      if (draining) {
        response.shouldKeepAlive = false;
        response.writeHead(503, { "content-type": "application/json" }).end(SHUTTING_DOWN);
        return;
      }
      inFlight.add(response);
      response.on("close", () => inFlight.delete(response));
      handle(request, response);
    },
  );
  // Node starts checking requestTimeout and headersTimeout when a server emits 'listening'. This one
  // never listens (the shared listener hands it connections), so it says it does; test/http1.test.ts
  // checks a slow request is cut off.
  server.emit("listening");
  return {
    accept(connection) {
      server.emit("connection", connection);
      // The listener paused it to look at its first bytes; node:http reads only a flowing socket.
      connection.resume();
    },
    drain() {
      draining = true;
      // A response not yet started says Connection: close; one already sent closes when it ends.
      for (const response of inFlight) {
        if (!response.headersSent) response.shouldKeepAlive = false;
        else response.on("finish", () => response.socket?.end());
      }
      // Not listening, so close() only stops the timeout checks and closes idle keep-alive connections.
      server.close(() => undefined);
    },
  };
}

/** An HttpExchange over HTTP/1.1 (node:http): local development, `curl http://…`, browsers without TLS. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { universalRequestFromNodeRequest, universalResponseToNodeResponse } from "@connectrpc/connect-node";
import { headerLookup, peerOf } from "../protocol/http-request.js";
import { collectBody, type HttpExchange } from "./http-exchange.js";

export function http1Exchange(request: IncomingMessage, response: ServerResponse): HttpExchange {
  const url = request.url ?? "/";
  const query = url.indexOf("?");
  return {
    httpVersion: "1.1",
    method: request.method ?? "GET",
    path: query === -1 ? url : url.slice(0, query),
    query: query === -1 ? "" : url.slice(query + 1),
    header: headerLookup(request.headers),
    peer: () => peerOf(request.socket),

    readBody(maxBytes, done) {
      collectBody(request, request.headers["content-length"], maxBytes, done);
    },

    onAbort(listener) {
      response.on("close", () => {
        if (!response.writableFinished) listener();
      });
    },

    body: request,

    startResponse(status, headers) {
      if (!response.destroyed && !response.headersSent) response.writeHead(status, headers);
      return {
        write: (chunk) => response.destroyed || response.write(chunk),
        onDrain: (listener) => void response.once("drain", listener),
        end(chunk) {
          if (response.destroyed) return;
          if (!request.complete) response.shouldKeepAlive = false;
          response.end(chunk);
        },
      };
    },

    respond(status, headers, body) {
      if (response.destroyed || response.headersSent) return;
      // A response sent before the request body was read (refused, or past its deadline): the rest of
      // the body is not read, so the connection cannot carry another request.
      if (!request.complete) response.shouldKeepAlive = false;
      response.writeHead(status, body === undefined ? headers : { ...headers, "content-length": body.length });
      response.end(body);
    },

    toUniversal: () => universalRequestFromNodeRequest(request, response, undefined, undefined),
    sendUniversal: (universal) => universalResponseToNodeResponse(universal, response),
  };
}

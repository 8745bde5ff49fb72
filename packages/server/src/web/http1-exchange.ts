/** An HttpExchange over HTTP/1.1 (node:http): local development, `curl http://…`, browsers without TLS. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { universalRequestFromNodeRequest, universalResponseToNodeResponse } from "@connectrpc/connect-node";
import type { CallError } from "../pipeline/call-error.js";
import { headerLookup, peerOf } from "../protocol/http-request.js";
import { BodyCollector, CLIENT_WENT_AWAY, type HttpExchange } from "./http-exchange.js";

export function http1Exchange(request: IncomingMessage, response: ServerResponse): HttpExchange {
  const url = request.url ?? "/";
  const query = url.indexOf("?");
  let bodyRead = false;
  return {
    httpVersion: "1.1",
    method: request.method ?? "GET",
    path: query === -1 ? url : url.slice(0, query),
    header: headerLookup(request.headers),
    peer: () => peerOf(request.socket),

    readBody(maxBytes, done) {
      const collector = new BodyCollector(maxBytes, request.headers["content-length"]);
      if (collector.refused !== undefined) return done(collector.refused);
      let settled = false;
      const settle = (result: Buffer | CallError) => {
        if (settled) return;
        settled = true;
        done(result);
      };
      request.on("data", (chunk: Buffer) => {
        if (settled) return;
        const tooLarge = collector.add(chunk);
        if (tooLarge !== undefined) settle(tooLarge);
      });
      request.on("end", () => {
        bodyRead = true;
        settle(collector.body);
      });
      request.on("error", () => settle(CLIENT_WENT_AWAY));
      request.on("close", () => settle(CLIENT_WENT_AWAY));
    },

    onAbort(listener) {
      response.on("close", () => {
        if (!response.writableFinished) listener();
      });
    },

    respond(status, headers, body) {
      if (response.destroyed || response.headersSent) return;
      // A response sent before the request body was read (refused, or past its deadline): the rest of
      // the body is not read, so the connection cannot carry another request.
      if (!bodyRead && !request.complete) response.shouldKeepAlive = false;
      response.writeHead(status, body === undefined ? headers : { ...headers, "content-length": body.length });
      response.end(body);
    },

    toUniversal: () => universalRequestFromNodeRequest(request, response, undefined, undefined),
    sendUniversal: (universal) => universalResponseToNodeResponse(universal, response),
  };
}

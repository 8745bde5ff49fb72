/**
 * Loads the web protocols (web/web-protocols.ts, with connect-es and protobuf-es) on the first web
 * request rather than at start: most servers of this contract only ever see gRPC, and the bench holds
 * start time to within 5 % of a gRPC-only server. Requests that arrive while it loads wait for it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { IncomingHttpHeaders } from "node:http2";
import type { WebProtocols, WebProtocolsOptions } from "../web/web-protocols.js";

export function lazyWebProtocols(options: WebProtocolsOptions): WebProtocols {
  let loaded: WebProtocols | undefined;
  let loading: Promise<WebProtocols> | undefined;
  const load = () =>
    (loading ??= import("../web/web-protocols.js").then((module) => (loaded = module.createWebProtocols(options))));
  const failed = (error: unknown, answer: () => void) => {
    options.onError(error);
    answer();
  };
  return {
    serveHttp2(stream, headers: IncomingHttpHeaders) {
      if (loaded !== undefined) return loaded.serveHttp2(stream, headers);
      load().then(
        (web) => web.serveHttp2(stream, headers),
        (error: unknown) =>
          failed(error, () => stream.destroyed || stream.respond({ ":status": 500 }, { endStream: true })),
      );
    },
    serveHttp1(request: IncomingMessage, response: ServerResponse) {
      if (loaded !== undefined) return loaded.serveHttp1(request, response);
      load().then(
        (web) => web.serveHttp1(request, response),
        (error: unknown) => failed(error, () => response.writeHead(500).end()),
      );
    },
  };
}

/** An HttpExchange over an HTTP/2 stream (h2c from Cloud Run's front end, or TLS h2). */
import { once } from "node:events";
import { constants, type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import type { UniversalServerResponse } from "@connectrpc/connect/protocol";
import { headerLookup, peerOf } from "../protocol/http-request.js";
import { stopRequestBody } from "../protocol/http2-stream.js";
import { CLIENT_WENT_AWAY, collectBody, fromWebHeaders, toWebHeaders, type HttpExchange } from "./http-exchange.js";

export function http2Exchange(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): HttpExchange {
  const header = headerLookup(headers);
  const rawPath = header(constants.HTTP2_HEADER_PATH) ?? "/";
  const method = header(constants.HTTP2_HEADER_METHOD) ?? "GET";
  const query = rawPath.indexOf("?");
  const gone = () => stream.destroyed || stream.closed;
  let responded = false;
  return {
    httpVersion: "2",
    method,
    path: query === -1 ? rawPath : rawPath.slice(0, query),
    header,
    peer: () => peerOf(stream.session?.socket),

    readBody(maxBytes, done) {
      collectBody(stream, header(constants.HTTP2_HEADER_CONTENT_LENGTH), maxBytes, done);
    },

    onAbort(listener) {
      stream.on("close", () => {
        if (!responded) listener();
      });
    },

    body: stream,

    startResponse(status, responseHeaders) {
      // Still open to an abort until its end is written: a client may cancel a stream midway.
      if (!gone()) stream.respond({ ...responseHeaders, [constants.HTTP2_HEADER_STATUS]: status });
      return {
        write: (chunk) => gone() || stream.write(chunk),
        onDrain: (listener) => void stream.once("drain", listener),
        end(chunk) {
          responded = true;
          if (gone()) return;
          stream.end(chunk);
          // Ended before the client finished sending (a refused stream): stop the upload.
          stopRequestBody(stream);
        },
      };
    },

    respond(status, responseHeaders, body) {
      if (gone()) return;
      responded = true;
      stream.respond({ ...responseHeaders, [constants.HTTP2_HEADER_STATUS]: status });
      stream.end(body);
      // A response sent before the request body was read (refused, or past its deadline): stop the upload.
      stopRequestBody(stream);
    },

    toUniversal() {
      const abort = new AbortController();
      stream.once("close", () => abort.abort(CLIENT_WENT_AWAY));
      return {
        httpVersion: "2.0",
        method,
        url: `http://${header(constants.HTTP2_HEADER_AUTHORITY) ?? "localhost"}${rawPath}`,
        header: toWebHeaders(headers),
        // Not the stream itself: its iterator's return() would destroy it (RST_STREAM) when
        // connect-es stops reading a refused body, before the refusal is sent.
        body: stream.iterator({ destroyOnReturn: false }),
        signal: abort.signal,
      };
    },

    sendUniversal(response) {
      responded = true;
      return sendUniversalResponse(stream, response);
    },
  };
}

async function sendUniversalResponse(stream: ServerHttp2Stream, response: UniversalServerResponse): Promise<void> {
  if (stream.destroyed || stream.closed) return;
  const trailer = response.trailer === undefined ? {} : fromWebHeaders(response.trailer);
  const withTrailers = Object.keys(trailer).length > 0;
  stream.respond(
    { ...fromWebHeaders(response.header), [constants.HTTP2_HEADER_STATUS]: response.status },
    { waitForTrailers: withTrailers },
  );
  if (withTrailers) stream.once("wantTrailers", () => stream.sendTrailers(trailer));
  if (response.body !== undefined) {
    for await (const chunk of response.body) {
      if (stream.destroyed || stream.closed) return;
      if (!stream.write(chunk)) await Promise.race([once(stream, "drain"), once(stream, "close")]);
    }
  }
  if (!stream.destroyed) stream.end();
  stopRequestBody(stream);
}

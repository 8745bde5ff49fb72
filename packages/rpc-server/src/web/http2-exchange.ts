/** An HttpExchange over an HTTP/2 stream (h2c from Cloud Run's front end, or TLS h2). */
import { once } from "node:events";
import type { OutgoingHttpHeaders } from "node:http";
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
    query: query === -1 ? "" : rawPath.slice(query + 1),
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
      if (body === undefined || body.length === 0) return respondEmpty(stream, status, responseHeaders);
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

/**
 * A response without a body: its headers end the stream (END_STREAM on HEADERS), then the request is
 * stopped if it is still arriving. Not `end()` after `respond()`: that sends an empty DATA frame, and
 * closing the stream then while the client's own empty END_STREAM DATA frame was in flight (a GET
 * from Node's http2 client that calls `end()` after opening the stream, to an unknown path: connect-es's
 * bodiless 404) sent the server into a loop: every later request stalled and its memory passed 2 GB
 * within seconds (seen on Node 24.22.3 behind grpc-js's session; a bare node:http2 server did not).
 */
function respondEmpty(stream: ServerHttp2Stream, status: number, headers: OutgoingHttpHeaders): void {
  stream.respond({ ...headers, [constants.HTTP2_HEADER_STATUS]: status }, { endStream: true });
  stopRequestBody(stream);
}

async function sendUniversalResponse(stream: ServerHttp2Stream, response: UniversalServerResponse): Promise<void> {
  if (stream.destroyed || stream.closed) return;
  const trailer = response.trailer === undefined ? {} : fromWebHeaders(response.trailer);
  const withTrailers = Object.keys(trailer).length > 0;
  if (response.body === undefined && !withTrailers)
    return respondEmpty(stream, response.status, fromWebHeaders(response.header));
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

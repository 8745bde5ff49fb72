// One HTTP/2 request over a fresh prior-knowledge (h2c) connection to loopback, with no client library:
// what the probes use to check (and time) a server's answer in any of the protocols it speaks.
import http2 from "node:http2";

export interface Http2Answer {
  status: number;
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Sends `body` with `headers` to `path` (a POST; a GET when `body` is undefined); rejects on connection
 * errors or after `timeoutMs`.
 */
export function http2Call(
  port: number,
  path: string,
  headers: Readonly<Record<string, string>>,
  body: Buffer | undefined,
  timeoutMs: number,
): Promise<Http2Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const timer = setTimeout(() => finish(new Error(`no answer from ${path} within ${timeoutMs} ms`)), timeoutMs);
    let settled = false;
    function finish(error: Error | undefined, answer?: Http2Answer): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      if (error) reject(error);
      else resolve(answer!);
    }
    session.on("error", (error: Error) => finish(error));
    const request = session.request({ ":method": body === undefined ? "GET" : "POST", ":path": path, ...headers });
    const chunks: Buffer[] = [];
    let responseHeaders: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    request.on("response", (h: http2.IncomingHttpHeaders) => (responseHeaders = h));
    request.on("trailers", (t: http2.IncomingHttpHeaders) => (trailers = t));
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("error", (error: Error) => finish(error));
    request.on("end", () =>
      finish(undefined, {
        status: Number(responseHeaders[":status"]),
        headers: responseHeaders,
        trailers,
        body: Buffer.concat(chunks),
      }),
    );
    if (body === undefined) request.end();
    else request.end(body);
  });
}

/** A header of the answer's trailers, else of its headers (first value of a repeated one). */
export function answerHeader(answer: Http2Answer, name: string): string | undefined {
  const value = answer.trailers[name] ?? answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * One raw web request (Connect, gRPC-Web, CORS preflights) over HTTP/2 (h2c) or HTTP/1.1, any headers
 * and body, and what came back. Like raw-client.ts, it reports what the server did and never throws.
 */
import http from "node:http";
import http2 from "node:http2";
import { authority, type Target } from "./raw-client.js";

export type WebOutcome =
  | {
      readonly kind: "response";
      readonly httpStatus: number;
      readonly headers: Readonly<Record<string, string | string[] | undefined>>;
      readonly body: Buffer;
    }
  | { readonly kind: "error"; readonly code: string }
  | { readonly kind: "timeout" };

export interface WebRequest {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Written in order; with `endStream: false` the request is left open after them. */
  readonly body?: readonly Buffer[];
  readonly endStream?: boolean;
  /** HTTP/2 trailers sent after the body (the request then ends with them). */
  readonly trailers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

const DEFAULT_PATH = "/Calculator/Calculate";

/** One request on an open HTTP/2 session. */
export function webRequestHttp2(session: http2.ClientHttp2Session, request: WebRequest): Promise<WebOutcome> {
  return new Promise((resolve) => {
    const stream = session.request(
      { ":method": request.method ?? "POST", ":path": request.path ?? DEFAULT_PATH, ...request.headers },
      { endStream: false, waitForTrailers: request.trailers !== undefined },
    );
    const timer = setTimeout(() => {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      resolve({ kind: "timeout" });
    }, request.timeoutMs ?? 5000);
    let headers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on("response", (received) => (headers = received));
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", () => undefined);
    // A server may end its response while the request is still open (a refusal, the end of a stream
    // whose body the client left open): the answer is complete, and the request is cancelled, as a
    // client would, instead of waiting for the server to reset it.
    stream.on("end", () => {
      if (!stream.writableEnded) stream.close(http2.constants.NGHTTP2_CANCEL);
    });
    stream.on("close", () => {
      clearTimeout(timer);
      const httpStatus = Number(headers[":status"] ?? 0);
      resolve(
        httpStatus === 0
          ? { kind: "error", code: `RST_STREAM ${stream.rstCode ?? "?"}` }
          : { kind: "response", httpStatus, headers, body: Buffer.concat(chunks) },
      );
    });
    if (request.trailers !== undefined) {
      const trailers = request.trailers;
      stream.on("wantTrailers", () => stream.sendTrailers(trailers));
    }
    for (const chunk of request.body ?? []) stream.write(chunk);
    if (request.endStream !== false) stream.end();
  });
}

/** One request on a fresh HTTP/1.1 connection (not kept alive). */
export function webRequestHttp1(target: Target, request: WebRequest): Promise<WebOutcome> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: target.host,
        port: target.port,
        method: request.method ?? "POST",
        path: request.path ?? DEFAULT_PATH,
        headers: request.headers,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          clearTimeout(timer);
          resolve({
            kind: "response",
            httpStatus: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          });
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ kind: "timeout" });
    }, request.timeoutMs ?? 5000);
    req.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ kind: "error", code: error.code ?? String(error) });
    });
    for (const chunk of request.body ?? []) req.write(chunk);
    if (request.endStream !== false) req.end();
    // Node sends a request's headers with its first write: a request left open without any is sent now.
    else if ((request.body ?? []).length === 0) req.flushHeaders();
  });
}

/** One request on a fresh HTTP/2 connection, closed afterwards. */
export async function webRequestOnce(target: Target, request: WebRequest): Promise<WebOutcome> {
  const session = http2.connect(authority(target));
  session.on("error", () => undefined);
  try {
    return await webRequestHttp2(session, request);
  } finally {
    session.close();
  }
}

export function describeWeb(outcome: WebOutcome): string {
  if (outcome.kind === "timeout") return "no answer within the timeout (hang)";
  if (outcome.kind === "error") return `error ${outcome.code}`;
  const text = outcome.body.toString("utf8", 0, 120).replace(/[^\x20-\x7e]/g, ".");
  return `HTTP ${outcome.httpStatus}${text === "" ? "" : `: ${text}`}`;
}

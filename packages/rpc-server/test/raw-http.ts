// Raw HTTP requests for the cases no protocol library sends (bytes that do not parse, a body that
// ends inside a message, a path or query as a hostile client writes it), over HTTP/1.1 and h2c, and
// the wire framing they read back. No library in between: tests see bytes.
import { request as http1Request } from "node:http";
import { connect, type IncomingHttpHeaders } from "node:http2";

/** A length-prefixed message (gRPC, gRPC-Web, Connect streaming); `flags` 1 = compressed, 0x80 = trailer. */
export function envelope(message: Uint8Array, flags = 0): Buffer {
  const out = Buffer.alloc(5 + message.length);
  out[0] = flags;
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

export interface RawAnswer {
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly trailers: IncomingHttpHeaders;
}

/** One POST over h2c with `body`, the whole answer back (trailers empty when the status came in the headers). */
export function http2Post(
  port: number,
  path: string,
  headers: Record<string, string>,
  body: Uint8Array,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${port}`);
    session.on("error", reject);
    const stream = session.request({ ":method": "POST", ":path": path, ...headers });
    let responseHeaders: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on("response", (received) => (responseHeaders = received));
    stream.on("trailers", (received: IncomingHttpHeaders) => (trailers = received));
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("close", () => {
      session.close();
      resolve({ headers: responseHeaders, body: Buffer.concat(chunks), trailers });
    });
    stream.on("error", reject);
    stream.end(body);
  });
}

export const GRPC_HEADERS = { "content-type": "application/grpc", te: "trailers" } as const;

/** A gRPC call's status, from its trailers or (Trailers-Only) its headers, grpc-message decoded. */
export function grpcStatusOf(answer: RawAnswer): { code: number; message: string } {
  const source = answer.trailers["grpc-status"] === undefined ? answer.headers : answer.trailers;
  return {
    code: Number(source["grpc-status"]),
    message: decodeURIComponent(String(source["grpc-message"] ?? "")),
  };
}

/** The messages of a length-prefixed body, and its trailer frame (gRPC-Web) parsed. */
export function frames(body: Buffer): { messages: Buffer[]; trailer: Record<string, string> | undefined } {
  const messages: Buffer[] = [];
  let trailer: Record<string, string> | undefined;
  for (let at = 0; at + 5 <= body.length;) {
    const length = body.readUInt32BE(at + 1);
    const data = body.subarray(at + 5, at + 5 + length);
    if (((body[at] ?? 0) & 0x80) !== 0) {
      trailer = {};
      for (const line of data.toString().split("\r\n")) {
        const colon = line.indexOf(":");
        if (colon > 0) trailer[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
    } else messages.push(data);
    at += 5 + length;
  }
  return { messages, trailer };
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface HttpRequest {
  readonly method: string;
  /** Sent as it is: no normalisation, no encoding. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
}

/** One request over HTTP/1.1 (node:http), the whole response back. */
export function http1(port: number, { method, path, headers = {}, body }: HttpRequest): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = http1Request({ host: "127.0.0.1", port, method, path, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
    });
    request.on("error", reject);
    request.end(body);
  });
}

/** One request over h2c (node:http2), the whole response back. */
export function http2(port: number, { method, path, headers = {}, body }: HttpRequest): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${port}`);
    session.on("error", reject);
    // Node ends a GET's stream as it opens it unless told otherwise: a test may send a GET a body.
    const stream = session.request({ ":method": method, ":path": path, ...headers }, { endStream: body === undefined });
    let responseHeaders: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on("response", (received) => (responseHeaders = received));
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    // 'close', not 'end': a server that answers before the request's end stops it (RST_STREAM).
    stream.on("close", () => {
      session.close();
      resolve({ status: Number(responseHeaders[":status"]), headers: responseHeaders, body: Buffer.concat(chunks) });
    });
    stream.on("error", reject);
    if (body !== undefined) stream.end(body);
  });
}

/** Both HTTP versions, for `describe.each`. */
export const httpVersions = [
  ["HTTP/1.1", http1],
  ["HTTP/2", http2],
] as const;

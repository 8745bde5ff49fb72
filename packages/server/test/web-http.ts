// Raw HTTP clients for the web protocols' tests: one request over HTTP/1.1 (node:http) or h2c
// (node:http2), the whole response back. No protocol library in between, so tests see the bytes.
import { request as http1Request } from "node:http";
import { connect, type IncomingHttpHeaders } from "node:http2";
import { connect as tcpConnect } from "node:net";

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface HttpRequest {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
}

export function http1(
  port: number,
  { method = "POST", path = "/Calculator/Calculate", headers = {}, body }: HttpRequest,
): Promise<HttpAnswer> {
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

export function http2(
  port: number,
  { method = "POST", path = "/Calculator/Calculate", headers = {}, body }: HttpRequest,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${port}`);
    session.on("error", reject);
    const stream = session.request({ ":method": method, ":path": path, ...headers });
    let responseHeaders: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on("response", (received) => (responseHeaders = received));
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      session.close();
      resolve({ status: Number(responseHeaders[":status"]), headers: responseHeaders, body: Buffer.concat(chunks) });
    });
    stream.on("error", reject);
    stream.end(body);
  });
}

export const httpVersions = [
  ["HTTP/1.1", http1],
  ["HTTP/2", http2],
] as const;

/**
 * Sends raw bytes on a TCP connection and collects what comes back until the server closes it (the
 * bytes must make it close: a `Connection: close` request, or a request it refuses). The connection
 * is not half-closed: Node's HTTP server drops requests still pending when the client half-closes.
 */
export function rawTcp(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, "127.0.0.1");
    let answer = "";
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
    socket.on("close", () => resolve(answer));
    socket.on("error", reject);
    socket.write(bytes);
  });
}

/** A gRPC-Web body: each message enveloped; `flags` 0x80 marks a trailer frame. */
export function envelope(message: Uint8Array, flags = 0): Buffer {
  const out = Buffer.alloc(5 + message.length);
  out[0] = flags;
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

/** The frames of a gRPC-Web response body: messages and the trailer frame parsed. */
export function grpcWebFrames(body: Buffer): { messages: Buffer[]; trailer: Record<string, string> | undefined } {
  const messages: Buffer[] = [];
  let trailer: Record<string, string> | undefined;
  for (let at = 0; at + 5 <= body.length;) {
    const length = body.readUInt32BE(at + 1);
    const data = body.subarray(at + 5, at + 5 + length);
    if ((body[at] ?? 0) & 0x80) {
      trailer = Object.fromEntries(
        data
          .toString()
          .split("\r\n")
          .filter((line) => line.includes(":"))
          .map((line) => [
            line.slice(0, line.indexOf(":")).trim().toLowerCase(),
            line.slice(line.indexOf(":") + 1).trim(),
          ]),
      );
    } else messages.push(data);
    at += 5 + length;
  }
  return { messages, trailer };
}

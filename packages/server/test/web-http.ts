// Raw HTTP clients for the web protocols' tests: one request over HTTP/1.1 (node:http) or h2c
// (node:http2), the whole response back. No protocol library in between, so tests see the bytes.
import { request as http1Request } from "node:http";
import { connect, type IncomingHttpHeaders } from "node:http2";
import { connect as tcpConnect } from "node:net";

// Enveloping and reading length-prefixed frames: the engine's raw-HTTP test helpers, one copy.
export { envelope, frames as grpcWebFrames } from "@grpc-calculator/rpc-server/test/raw-http";

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

// Raw HTTP clients for the web protocols' tests: one request over HTTP/1.1 (node:http) or h2c
// (node:http2), the whole response back — the engine's raw-HTTP test helpers, with the calculator's
// Calculate as the default request. No protocol library in between, so tests see the bytes.
import { connect as tcpConnect } from "node:net";
import {
  http1 as engineHttp1,
  http2 as engineHttp2,
  type HttpAnswer,
  type HttpRequest as EngineRequest,
} from "@grpc-calculator/rpc-server/test/raw-http";

// Enveloping and reading length-prefixed frames: the engine's raw-HTTP test helpers, one copy.
export { envelope, frames as grpcWebFrames } from "@grpc-calculator/rpc-server/test/raw-http";

export type { HttpAnswer } from "@grpc-calculator/rpc-server/test/raw-http";

/** A request; by default a POST to the calculator's Calculate. */
export interface HttpRequest {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
}

const calculate = (request: HttpRequest): EngineRequest => ({
  method: "POST",
  path: "/Calculator/Calculate",
  ...request,
});

export const http1 = (port: number, request: HttpRequest): Promise<HttpAnswer> => engineHttp1(port, calculate(request));
export const http2 = (port: number, request: HttpRequest): Promise<HttpAnswer> => engineHttp2(port, calculate(request));

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

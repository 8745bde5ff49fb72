/**
 * A raw gRPC client on `node:http2` (any headers, any body bytes, one stream per call) and a raw TCP
 * exchange for input that is not HTTP/2 at all. It reports what the server did, never throws for it.
 */
import http2 from "node:http2";
import net from "node:net";
import { CalculationResult, CalculatorService, type Operation } from "@grpc-calculator/proto";
import { decodeFrames, requestFrame } from "./grpc-frame.js";

export interface Target {
  readonly host: string;
  readonly port: number;
}

/** What the server did with one raw call. */
export type RawOutcome =
  | {
      readonly kind: "response";
      readonly httpStatus: number;
      /** From the trailers, or from the headers of a trailers-only answer; undefined when absent. */
      readonly grpcStatus: number | undefined;
      readonly grpcMessage: string;
      readonly messages: Buffer[];
      /** Bytes of an incomplete trailing message. */
      readonly rest: Buffer;
    }
  /** The stream was reset (RST_STREAM) with this HTTP/2 error code. */
  | { readonly kind: "stream-reset"; readonly code: number }
  /** The connection failed or closed (GOAWAY, socket error) before the call ended. */
  | { readonly kind: "connection-error"; readonly code: string }
  /** Nothing ended the call within the timeout: a hang. */
  | { readonly kind: "timeout" };

export interface RawCallRequest {
  readonly path?: string;
  /** Replaces the default gRPC request headers entirely when `replaceHeaders` is true, else adds to them. */
  readonly headers?: http2.OutgoingHttpHeaders;
  readonly replaceHeaders?: boolean;
  /** Request body chunks, written in order, then the stream ends (unless `endStream` is false). */
  readonly body?: Buffer | readonly Buffer[];
  readonly endStream?: boolean;
  readonly timeoutMs?: number;
}

export function grpcHeaders(path: string = CalculatorService.calculate.path): http2.OutgoingHttpHeaders {
  return {
    ":method": "POST",
    ":path": path,
    "content-type": "application/grpc",
    te: "trailers",
  };
}

export function authority(target: Target): string {
  return target.host.includes(":") ? `http://[${target.host}]:${target.port}` : `http://${target.host}:${target.port}`;
}

/** Opens an HTTP/2 connection; resolves once it is connected. */
export async function connect(
  target: Target,
  options: http2.ClientSessionOptions = {},
): Promise<http2.ClientHttp2Session> {
  const session = http2.connect(authority(target), options);
  session.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => {
    session.once("connect", () => resolve());
    session.once("error", reject);
  });
  return session;
}

function numberHeader(value: unknown): number | undefined {
  const n = Number(Array.isArray(value) ? value[0] : value);
  return Number.isInteger(n) ? n : undefined;
}

/** The GOAWAY code a session received, if any: recorded by one listener per session, not one per call. */
const goaways = new WeakMap<http2.ClientHttp2Session, { code: number | undefined }>();

function goawayOf(session: http2.ClientHttp2Session): { code: number | undefined } {
  let goaway = goaways.get(session);
  if (goaway === undefined) {
    const state: { code: number | undefined } = { code: undefined };
    session.on("goaway", (code: number) => (state.code = code));
    goaways.set(session, state);
    goaway = state;
  }
  return goaway;
}

/** One raw call on an open session. */
export function rawCall(session: http2.ClientHttp2Session, request: RawCallRequest = {}): Promise<RawOutcome> {
  const headers =
    request.replaceHeaders === true ? { ...request.headers } : { ...grpcHeaders(request.path), ...request.headers };
  const timeoutMs = request.timeoutMs ?? 5000;
  return new Promise<RawOutcome>((resolve) => {
    let settled = false;
    let httpStatus = 0;
    let grpcStatus: number | undefined;
    let grpcMessage = "";
    const chunks: Buffer[] = [];
    let stream: http2.ClientHttp2Stream;
    const finish = (outcome: RawOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_CANCEL);
      resolve(outcome);
    };
    // A GOAWAY lets streams below its last-stream-id finish; it is reported only if this stream then fails.
    const goaway = goawayOf(session);
    const timer = setTimeout(() => finish({ kind: "timeout" }), timeoutMs);
    try {
      stream = session.request(headers, { endStream: false });
    } catch (error) {
      clearTimeout(timer);
      resolve({ kind: "connection-error", code: (error as NodeJS.ErrnoException).code ?? String(error) });
      return;
    }
    stream.on("response", (h) => {
      httpStatus = numberHeader(h[":status"]) ?? 0;
      grpcStatus = numberHeader(h["grpc-status"]);
      grpcMessage = decodeURIComponent(String(h["grpc-message"] ?? ""));
    });
    stream.on("trailers", (t: http2.IncomingHttpHeaders) => {
      grpcStatus = numberHeader(t["grpc-status"]) ?? grpcStatus;
      grpcMessage = decodeURIComponent(String(t["grpc-message"] ?? grpcMessage));
    });
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", () => undefined);
    stream.on("close", () => {
      const { messages, rest } = decodeFrames(Buffer.concat(chunks));
      if (httpStatus !== 0 && (grpcStatus !== undefined || stream.rstCode === http2.constants.NGHTTP2_NO_ERROR)) {
        finish({ kind: "response", httpStatus, grpcStatus, grpcMessage, messages, rest });
      } else if (goaway.code !== undefined || session.destroyed) {
        finish({ kind: "connection-error", code: goaway.code === undefined ? "closed" : `GOAWAY ${goaway.code}` });
      } else {
        finish({ kind: "stream-reset", code: stream.rstCode ?? -1 });
      }
    });
    const body = request.body === undefined ? [] : Buffer.isBuffer(request.body) ? [request.body] : request.body;
    for (const chunk of body) stream.write(chunk);
    if (request.endStream !== false) stream.end();
  });
}

/** One raw call on a fresh connection, closed afterwards. */
export async function rawCallOnce(
  target: Target,
  request: RawCallRequest = {},
  options: http2.ClientSessionOptions = {},
): Promise<RawOutcome> {
  let session: http2.ClientHttp2Session;
  try {
    session = await connect(target, options);
  } catch (error) {
    return { kind: "connection-error", code: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
  try {
    return await rawCall(session, request);
  } finally {
    session.destroy();
  }
}

/** `first <op> second` through the raw client; the float32 result, or the outcome when it is not a result. */
export async function calculateRaw(
  session: http2.ClientHttp2Session,
  first: number,
  second: number,
  operation: Operation,
): Promise<number | RawOutcome> {
  const outcome = await rawCall(session, { body: requestFrame(first, second, operation) });
  if (outcome.kind === "response" && outcome.grpcStatus === 0) {
    const message = outcome.messages[0];
    return message === undefined ? outcome : CalculationResult.decode(message).result;
  }
  return outcome;
}

export interface TcpOutcome {
  /** Every byte the server sent before closing (or before the timeout). */
  readonly received: Buffer;
  /** The server closed the connection within the timeout. */
  readonly closed: boolean;
}

/** Sends raw bytes over TCP and collects the answer until the server closes or the timeout passes. */
export function rawTcp(target: Target, bytes: Buffer, timeoutMs = 3000): Promise<TcpOutcome> {
  return new Promise<TcpOutcome>((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host: target.host, port: target.port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ received: Buffer.concat(chunks), closed: false });
    }, timeoutMs);
    socket.on("connect", () => socket.write(bytes));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ received: Buffer.concat(chunks), closed: true });
    });
  });
}

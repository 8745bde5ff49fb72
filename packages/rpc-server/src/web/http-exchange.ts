/**
 * One HTTP request and its response, whatever HTTP version carried it: what the web protocols'
 * direct paths need from HTTP/1.1 (node:http) and from an HTTP/2 stream, and the conversion to
 * connect-es's universal request and response for everything else.
 */
import type { OutgoingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import type { UniversalServerRequest, UniversalServerResponse } from "@connectrpc/connect/protocol";
import { status } from "@grpc/grpc-js";
import type { HeaderLookup } from "../call-context.js";
import { CallError } from "../call-error.js";

export interface HttpExchange {
  readonly httpVersion: "1.1" | "2";
  /** `POST`, `GET`, `OPTIONS`, … */
  readonly method: string;
  /** The path, without the query. */
  readonly path: string;
  /** The query as sent, without its `?` (`""` when none): REST reads request fields from it. */
  readonly query: string;
  readonly header: HeaderLookup;
  readonly peer: () => string | undefined;
  /**
   * Reads the whole body, at most `maxBytes` of it, and calls `done` once: with the body, or with
   * the CallError that stops it (too large: RESOURCE_EXHAUSTED, before reading more than the limit;
   * the client went away: CANCELLED).
   */
  readBody(maxBytes: number, done: (body: Buffer | CallError) => void): void;
  /** Calls `listener` if the client goes away before the response is complete. */
  onAbort(listener: () => void): void;
  /** Sends a complete response. Does nothing once the client is gone. */
  respond(status: number, headers: OutgoingHttpHeaders, body?: Uint8Array): void;
  /** The request body as it arrives, for calls that stream their requests. */
  readonly body: Readable;
  /** Starts a response whose body is written in parts (a streaming call's). Once the client is gone, writes do nothing. */
  startResponse(status: number, headers: OutgoingHttpHeaders): ResponseWriter;
  /** The request in connect-es's universal form (for the library path). */
  toUniversal(): UniversalServerRequest;
  /** Sends connect-es's universal response. */
  sendUniversal(response: UniversalServerResponse): Promise<void>;
}

/** A response body written in parts, with backpressure. */
export interface ResponseWriter {
  /** False when the connection's buffer is full: wait for `onDrain`. */
  write(chunk: Uint8Array): boolean;
  onDrain(listener: () => void): void;
  /** Ends the response with its last part. */
  end(chunk: Uint8Array): void;
}

export const CLIENT_WENT_AWAY = new CallError(status.CANCELLED, "the client cancelled the call");

/**
 * A CallError with the HTTP status that HTTP's own semantics give it (413 for a body over the limit),
 * for the protocol that answers with HTTP statuses of its own (REST). The RPC protocols read only its
 * code and message.
 */
export class HttpStatusError extends CallError {
  constructor(
    readonly httpStatus: number,
    code: status,
    message: string,
  ) {
    super(code, message);
  }
}

/** The error for a body over the limit, in connect-es's words; 413 Content Too Large over REST. */
export function bodyTooLarge(bytes: number, maxBytes: number): CallError {
  return new HttpStatusError(
    413,
    status.RESOURCE_EXHAUSTED,
    `message size ${bytes} is larger than configured readMaxBytes ${maxBytes}`,
  );
}

/**
 * Calls `listener` when `body` has ended: now, if it already has. An empty body can end before anyone
 * listens (its END_STREAM came while the web protocols were loading: Node emits 'end' for an empty
 * body without waiting for a reader), and 'end' does not come again.
 */
export function onBodyEnd(body: Readable, listener: () => void): void {
  if (body.readableEnded) listener();
  else body.once("end", listener);
}

/**
 * Reads a request body (node:http's IncomingMessage or an HTTP/2 stream) up to `maxBytes` and calls
 * `done` once, as HttpExchange.readBody says. A `declaredLength` (Content-Length) over the limit is
 * refused before anything is read.
 */
export function collectBody(
  body: Readable,
  declaredLength: string | undefined,
  maxBytes: number,
  done: (body: Buffer | CallError) => void,
): void {
  const declared = declaredLength === undefined ? Number.NaN : Number(declaredLength);
  if (declared > maxBytes) return done(bodyTooLarge(declared, maxBytes));
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const settle = (result: Buffer | CallError) => {
    if (settled) return;
    settled = true;
    done(result);
  };
  body.on("data", (chunk: Buffer) => {
    if (settled) return;
    size += chunk.length;
    if (size > maxBytes) return settle(bodyTooLarge(size, maxBytes));
    chunks.push(chunk);
  });
  onBodyEnd(body, () => settle(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
  body.on("error", () => settle(CLIENT_WENT_AWAY));
  body.on("close", () => settle(CLIENT_WENT_AWAY));
}

/** Node's header object as WHATWG Headers, without HTTP/2 pseudo-headers. */
export function toWebHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Headers {
  const web = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name.startsWith(":")) continue;
    for (const item of Array.isArray(value) ? value : [value]) web.append(name, item);
  }
  return web;
}

/** WHATWG Headers as Node's header object (repeated names as arrays). */
export function fromWebHeaders(headers: Headers | undefined): OutgoingHttpHeaders {
  const node: OutgoingHttpHeaders = {};
  headers?.forEach((value, name) => {
    const seen = node[name];
    node[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [String(seen)]), value];
  });
  return node;
}

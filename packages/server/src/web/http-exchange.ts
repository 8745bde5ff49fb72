/**
 * One HTTP request and its response, whatever HTTP version carried it: what the web protocols'
 * direct paths need from HTTP/1.1 (node:http) and from an HTTP/2 stream, and the conversion to
 * connect-es's universal request and response for everything else.
 */
import type { OutgoingHttpHeaders } from "node:http";
import type { UniversalServerRequest, UniversalServerResponse } from "@connectrpc/connect/protocol";
import { status } from "@grpc/grpc-js";
import type { HeaderLookup } from "../pipeline/call-context.js";
import { CallError } from "../pipeline/call-error.js";

export interface HttpExchange {
  readonly httpVersion: "1.1" | "2";
  /** `POST`, `GET`, `OPTIONS`, … */
  readonly method: string;
  /** The path, without the query. */
  readonly path: string;
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
  /** The request in connect-es's universal form (for the library path). */
  toUniversal(): UniversalServerRequest;
  /** Sends connect-es's universal response. */
  sendUniversal(response: UniversalServerResponse): Promise<void>;
}

export const CLIENT_WENT_AWAY = new CallError(status.CANCELLED, "the client cancelled the call");

/** The error for a body over the limit, in connect-es's words. */
export function bodyTooLarge(bytes: number, maxBytes: number): CallError {
  return new CallError(
    status.RESOURCE_EXHAUSTED,
    `message size ${bytes} is larger than configured readMaxBytes ${maxBytes}`,
  );
}

/** Collects body chunks up to a limit; the two exchanges feed it. */
export class BodyCollector {
  readonly #chunks: Buffer[] = [];
  #size = 0;

  constructor(
    private readonly maxBytes: number,
    declaredLength: string | undefined,
  ) {
    const declared = declaredLength === undefined ? Number.NaN : Number(declaredLength);
    if (declared > maxBytes) this.refused = bodyTooLarge(declared, maxBytes);
  }

  /** Set when the declared length is over the limit: nothing needs to be read. */
  refused: CallError | undefined;

  /** Adds a chunk; returns the error when the body is now over the limit. */
  add(chunk: Buffer): CallError | undefined {
    this.#size += chunk.length;
    if (this.#size > this.maxBytes) return bodyTooLarge(this.#size, this.maxBytes);
    this.#chunks.push(chunk);
    return undefined;
  }

  get body(): Buffer {
    return this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks);
  }
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

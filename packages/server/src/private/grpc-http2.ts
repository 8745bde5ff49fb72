/**
 * The part of gRPC over HTTP/2 (grpc/grpc doc/PROTOCOL-HTTP2.md) that the fast path (../fast-path.ts)
 * speaks on a node:http2 stream: which requests it takes, length-prefixed messages in and out, and
 * the status that ends a call. Everything else (compression, odd headers, other methods) stays with
 * grpc-js.
 */
import { constants, type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import { status } from "@grpc/grpc-js";

export const FRAME_HEADER_BYTES = 5;

/** The status a call ends with: `grpc-status` and `grpc-message`. */
export interface CallStatus {
  readonly code: status;
  readonly details: string;
}

const TIMEOUT = /^(\d{1,8})([HMSmun])$/;
const MAX_TIMER_MS = 2 ** 31 - 1;
const TIMEOUT_UNIT_MS: Readonly<Record<string, number>> = {
  H: 3_600_000,
  M: 60_000,
  S: 1000,
  m: 1,
  u: 0.001,
  n: 0.000001,
};

function header(headers: IncomingHttpHeaders, key: string): string | undefined {
  const value = headers[key];
  return typeof value === "string" ? value : undefined;
}

/**
 * The call's deadline in ms from now (Infinity without `grpc-timeout`) when its headers are the
 * plain case the fast path serves: POST, `application/grpc[+proto]`, no compression, a well-formed
 * or absent `grpc-timeout`. Undefined otherwise: grpc-js serves (or refuses) the call as usual.
 */
export function plainCallTimeoutMs(headers: IncomingHttpHeaders): number | undefined {
  if (headers[constants.HTTP2_HEADER_METHOD] !== "POST") return undefined;
  const contentType = headers[constants.HTTP2_HEADER_CONTENT_TYPE];
  if (contentType !== "application/grpc" && contentType !== "application/grpc+proto") return undefined;
  const encoding = headers["grpc-encoding"];
  if (encoding !== undefined && encoding !== "identity") return undefined;
  const timeout = headers["grpc-timeout"];
  if (timeout === undefined) return Number.POSITIVE_INFINITY;
  const match = typeof timeout === "string" ? TIMEOUT.exec(timeout) : null;
  if (match === null) return undefined;
  const ms = Math.ceil(Number(match[1]) * (TIMEOUT_UNIT_MS[match[2] ?? "S"] ?? 1000));
  // Node fires a timer set past 2^31 - 1 ms (~24.8 days) after 1 ms instead: such a deadline is no deadline.
  return ms > MAX_TIMER_MS ? Number.POSITIVE_INFINITY : ms;
}

/** A header's value for trace logging (logger.ts's traceFieldsFrom). */
export function headerReader(headers: IncomingHttpHeaders): (key: string) => string | undefined {
  return (key) => header(headers, key);
}

/**
 * Splits a request body into its gRPC messages as DATA chunks arrive: a message may span chunks and
 * a chunk may hold many. Refuses a frame marked compressed (the fast path only takes calls without
 * `grpc-encoding`) and one that declares more than `maxBytes` before buffering it.
 */
export class MessageReader {
  #pending: Buffer | undefined;

  constructor(private readonly maxBytes: number) {}

  /** True when the body read so far ends inside a message. */
  get midMessage(): boolean {
    return this.#pending !== undefined;
  }

  /**
   * Calls `onMessage` for each message completed by `chunk`, in order. Stops at the first failure,
   * a frame's or one `onMessage` returns, and returns it.
   */
  read(chunk: Buffer, onMessage: (message: Buffer) => CallStatus | undefined): CallStatus | undefined {
    const data = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk]);
    this.#pending = undefined;
    let offset = 0;
    while (data.length - offset >= FRAME_HEADER_BYTES) {
      const length = data.readUInt32BE(offset + 1);
      if (data[offset] !== 0) return { code: status.INTERNAL, details: "compressed message without grpc-encoding" };
      if (length > this.maxBytes) {
        return {
          code: status.RESOURCE_EXHAUSTED,
          details: `received message larger than max (${length} vs. ${this.maxBytes})`,
        };
      }
      const start = offset + FRAME_HEADER_BYTES;
      if (data.length - start < length) break;
      offset = start + length;
      const failure = onMessage(data.subarray(start, offset));
      if (failure !== undefined) return failure;
    }
    // Copied: `data` may be a slice of a larger buffer that should not stay alive for a few bytes.
    if (offset < data.length) this.#pending = Buffer.from(data.subarray(offset));
    return undefined;
  }
}

/** The status of a request message the codec cannot decode. */
export function undecodable(error: unknown): CallStatus {
  return {
    code: status.INTERNAL,
    details: `cannot parse the request: ${error instanceof Error ? error.message : String(error)}`,
  };
}

/** The length-prefixed frames of `messages` in one buffer, for one HTTP/2 write. */
export function frameMessages(messages: readonly Uint8Array[]): Buffer {
  let size = 0;
  for (const message of messages) size += FRAME_HEADER_BYTES + message.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const message of messages) {
    out[at] = 0;
    out.writeUInt32BE(message.length, at + 1);
    out.set(message, at + FRAME_HEADER_BYTES);
    at += FRAME_HEADER_BYTES + message.length;
  }
  return out;
}

/** grpc-message is percent-encoded: every byte outside printable ASCII, and '%'. */
export function encodeGrpcMessage(message: string): string {
  return /^[\x20-\x24\x26-\x7e]*$/.test(message)
    ? message
    : [...Buffer.from(message)]
        .map((byte) =>
          byte >= 0x20 && byte <= 0x7e && byte !== 0x25
            ? String.fromCharCode(byte)
            : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`,
        )
        .join("");
}

/** The response headers of a call that answers with messages (as grpc-js sends them). */
export const RESPONSE_HEADERS = Object.freeze({
  [constants.HTTP2_HEADER_STATUS]: 200,
  [constants.HTTP2_HEADER_CONTENT_TYPE]: "application/grpc",
  "grpc-accept-encoding": "identity,deflate,gzip",
  "grpc-encoding": "identity",
});

/** `respond()` options of a call whose status follows its messages in trailers. */
export const WITH_TRAILERS = Object.freeze({ waitForTrailers: true });

export const OK_TRAILERS = Object.freeze({ "grpc-status": String(status.OK), "grpc-message": "OK" });

export function statusTrailers({ code, details }: CallStatus): Record<string, string> {
  return { "grpc-status": String(code), "grpc-message": encodeGrpcMessage(details) };
}

/**
 * After the server's last frame: a client still sending its request is asked to stop with
 * RST_STREAM NO_ERROR (RFC 9113 §8.1; gRPC core and grpc-go do the same), so a refused or
 * failed call does not go on uploading. The response already sent stands.
 */
export function stopRequestBody(stream: ServerHttp2Stream): void {
  if (!stream.readableEnded && !stream.destroyed) stream.close(constants.NGHTTP2_NO_ERROR);
}

/** Ends a call that has sent nothing yet with only its status (a "Trailers-Only" response). */
export function respondWithStatus(stream: ServerHttp2Stream, callStatus: CallStatus): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  stream.respond(
    {
      [constants.HTTP2_HEADER_STATUS]: 200,
      [constants.HTTP2_HEADER_CONTENT_TYPE]: "application/grpc",
      ...statusTrailers(callStatus),
    },
    { endStream: true },
  );
  stopRequestBody(stream);
}

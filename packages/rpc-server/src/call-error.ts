/**
 * The one error class of the engine: a gRPC status code and its message. Handlers throw it, the
 * engine throws it for what goes wrong on the wire, and each protocol turns it into its own wire
 * form (gRPC `grpc-status`/`grpc-message`, a Connect error body and HTTP status, gRPC-Web trailers).
 * The message is the same on every protocol: the errors the engine raises itself are defined once,
 * below, and every protocol and path uses these.
 */
import { status } from "@grpc/grpc-js";

export { status as Code };

/**
 * One detail of an error, as google.rpc.Status carries it in a google.protobuf.Any: the detail
 * message's fully-qualified type name ("google.rpc.BadRequest") and its protobuf bytes. The same
 * shape as connect-es's error details.
 */
export interface ErrorDetail {
  readonly type: string;
  readonly value: Uint8Array;
}

export class CallError extends Error {
  override readonly name = "CallError";

  constructor(
    readonly code: status,
    message: string,
    /** Structured details for the caller (which field was wrong, …): google.rpc.Status's `details`. */
    readonly details: readonly ErrorDetail[] = [],
  ) {
    super(message);
  }
}

/**
 * Any thrown value as a CallError: one of ours as it is, anything else INTERNAL (a bug, not the
 * caller's fault; its own message and stack stay in the server's log, see the request logging).
 */
export function toCallError(error: unknown): CallError {
  if (error instanceof CallError) return error;
  return new CallError(status.INTERNAL, `internal error: ${error instanceof Error ? error.message : String(error)}`);
}

/** The errors the engine itself raises, one message each, on every protocol and path. */
export const wireErrors = {
  /** The client reset the stream, closed the connection or went away. */
  cancelled: new CallError(status.CANCELLED, "the client cancelled the call"),
  /** The call's deadline passed. */
  deadlineExceeded: new CallError(status.DEADLINE_EXCEEDED, "Deadline exceeded"),
  /** The server is shutting down and cancelled the call at the end of its grace period. */
  shuttingDown: new CallError(status.UNAVAILABLE, "the server is shutting down"),
  /** A request (or request stream) ended inside a message. */
  endedInsideMessage: new CallError(status.INTERNAL, "the request ended inside a message"),
  /** A message flagged compressed on a call that named no encoding. */
  compressedWithoutEncoding: new CallError(status.INTERNAL, "compressed message without grpc-encoding"),
  /**
   * A request message with flags a client may not set (Connect's end-of-stream flag 0x02, which only
   * the server sends; a reserved bit).
   */
  unknownFlags: (flags: number) =>
    new CallError(
      status.INTERNAL,
      `a request message with flags 0x${flags.toString(16).padStart(2, "0")}, which a client may not send`,
    ),
  /** A single-request call (unary, server streaming) without its request. */
  noRequest: new CallError(status.UNIMPLEMENTED, "received no request message"),
  /** A single-request call with a second request. */
  secondRequest: new CallError(status.UNIMPLEMENTED, "received a second request message on a unary call"),
  /** A method this server does not have. */
  unimplemented: (path: string) => new CallError(status.UNIMPLEMENTED, `the server does not implement ${path}`),
  /** Request bytes that do not parse as the method's request message. */
  cannotParse: (error: unknown) =>
    new CallError(
      status.INTERNAL,
      `cannot parse the request: ${error instanceof Error ? error.message : String(error)}`,
    ),
  /** A response the handler returned that cannot be encoded as the method's response message (a bug). */
  cannotEncode: (error: unknown) =>
    new CallError(
      status.INTERNAL,
      `cannot encode the response: ${error instanceof Error ? error.message : String(error)}`,
    ),
  /** A message over the server's limit, refused from its declared length. */
  tooLarge: (bytes: number, maxBytes: number) =>
    new CallError(status.RESOURCE_EXHAUSTED, `received message larger than max (${bytes} vs. ${maxBytes})`),
} as const;

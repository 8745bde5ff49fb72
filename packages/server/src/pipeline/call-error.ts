/**
 * The one error class of the server: a gRPC status code and its message. The service throws it,
 * transports throw it for what goes wrong on the wire, and each protocol turns it into its own
 * wire form (gRPC `grpc-status`/`grpc-message`, a Connect error body and HTTP status, gRPC-Web
 * trailers). The message is the same on every protocol.
 */
import { status } from "@grpc/grpc-js";

export { status as Code };

export class CallError extends Error {
  override readonly name = "CallError";

  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

/** Any thrown value as a CallError: one of ours as it is, anything else INTERNAL (a bug, not the caller's fault). */
export function toCallError(error: unknown): CallError {
  if (error instanceof CallError) return error;
  return new CallError(status.INTERNAL, `internal error: ${error instanceof Error ? error.message : String(error)}`);
}

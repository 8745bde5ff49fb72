/** The server's CallError and connect-es's ConnectError, one as the other: the codes are gRPC's in both. */
import { ConnectError } from "@connectrpc/connect";
import { CallError, toCallError } from "../call-error.js";

export function toConnectError(error: CallError): ConnectError {
  return new ConnectError(error.message, error.code as number);
}

export function fromConnectError(error: unknown): CallError {
  if (error instanceof ConnectError) return new CallError(error.code as number, error.rawMessage);
  return toCallError(error);
}

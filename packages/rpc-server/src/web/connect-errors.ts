/**
 * The server's CallError and connect-es's ConnectError, one as the other: the codes are gRPC's in both,
 * and the details travel both ways (connect-es sends a ConnectError's details on every web protocol:
 * `grpc-status-details-bin` for gRPC-Web, `details` in Connect's error JSON and end-stream message).
 */
import { create, toBinary } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import { CallError, toCallError, type ErrorDetail } from "../call-error.js";

export function toConnectError(error: CallError): ConnectError {
  const connectError = new ConnectError(error.message, error.code as number);
  // As connect-es stores the details it reads from the wire: the type's name and the message's bytes.
  if (error.details.length > 0) connectError.details = error.details.map(({ type, value }) => ({ type, value }));
  return connectError;
}

/** A ConnectError's details as the engine's: those read from the wire as they are, those made in code encoded. */
function detailsOf(error: ConnectError): ErrorDetail[] {
  return error.details.map((detail) =>
    "desc" in detail
      ? { type: detail.desc.typeName, value: toBinary(detail.desc, create(detail.desc, detail.value)) }
      : { type: detail.type, value: detail.value },
  );
}

export function fromConnectError(error: unknown): CallError {
  if (error instanceof ConnectError) return new CallError(error.code as number, error.rawMessage, detailsOf(error));
  return toCallError(error);
}

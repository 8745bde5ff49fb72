/**
 * An error's details as gRPC carries them: `grpc-status-details-bin`, the google.rpc.Status
 * `{ code = 1, message = 2, repeated google.protobuf.Any details = 3 }` of the call's status, each
 * detail an Any `{ type_url = 1, value = 2 }` with the type URL `type.googleapis.com/<full name>`
 * (grpc/grpc doc/PROTOCOL-HTTP2.md; googleapis google/rpc/status.proto). The web protocols send the
 * same through connect-es (`setTrailerStatus`, Connect's error JSON); the gRPC paths use this.
 *
 * Written here with protobuf-es's BinaryWriter, which every ts-proto service has loaded already,
 * rather than with connect-es's `setTrailerStatus` (@connectrpc/connect/protocol-grpc): importing that
 * took 115–185 ms more on Node 24 on this machine (connect-es and protobuf-es's reflection, three runs),
 * which the gRPC path must not pay at start (the web protocols load lazily), and its encoding is no faster
 * (≈ 2–9 µs here against ≈ 8–14 µs for a status with two details). The bytes are the same: the engine's
 * tests read them back with connect-es's decoder.
 */
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import type { CallError } from "../call-error.js";

/** The header (a trailer, or a header of a Trailers-Only answer) that carries the Status. */
export const STATUS_DETAILS_HEADER = "grpc-status-details-bin";

const TYPE_URL_PREFIX = "type.googleapis.com/";

/** `error` as a serialized google.rpc.Status, details included. */
export function encodeStatus(error: CallError): Uint8Array {
  const writer = new BinaryWriter();
  writer.uint32(8).int32(error.code).uint32(18).string(error.message);
  for (const { type, value } of error.details) {
    writer
      .uint32(26)
      .fork()
      .uint32(10)
      .string(TYPE_URL_PREFIX + type)
      .uint32(18)
      .bytes(value)
      .join();
  }
  return writer.finish();
}

/**
 * How a gRPC-Web call ends (grpc/grpc doc/PROTOCOL-WEB.md): a last length-prefixed frame flagged 0x80
 * that carries `grpc-status`, `grpc-message` and the handler's trailers as HTTP/1 header lines, which
 * browsers can read where they cannot read HTTP trailers. Encoded by connect-es's own functions.
 */
import { setTrailerStatus, trailerFlag, trailerSerialize } from "@connectrpc/connect/protocol-grpc-web";
import { userHeaders } from "../call-context.js";
import type { CallError } from "../call-error.js";
import { encodeEnvelopes } from "../protocol/envelope.js";
import { toConnectError } from "../web/connect-errors.js";

function frame(error: CallError | undefined, trailers: Headers | undefined): Buffer {
  const trailer = new Headers({ "grpc-status": "0" });
  if (error !== undefined) setTrailerStatus(trailer, toConnectError(error));
  for (const [name, value] of userHeaders(trailers)) trailer.append(name, value);
  const envelope = encodeEnvelopes([trailerSerialize(trailer)]);
  envelope[0] = trailerFlag;
  return envelope;
}

// Built on the first gRPC-Web answer, not at import: the WHATWG `Headers` that connect-es's trailer
// functions take is Node's internal undici, loaded on first touch. Built at import, it made every first
// web call pay for it, Connect's too: measured by the bench, the server CPU of the first Connect JSON call
// after start went from 91 to 62 ms with this change (the rest is protobuf-es booting its descriptors).
let okTrailer: Buffer | undefined;

/** The trailer frame of a call ending with `error` (OK when there is none), with the handler's trailers. */
export function trailerFrame(error: CallError | undefined, trailers: Headers | undefined): Buffer {
  if (error === undefined && trailers === undefined) return (okTrailer ??= frame(undefined, undefined));
  return frame(error, trailers);
}

import { type CallOptions as GrpcCallOptions, Metadata, status as Status } from "@grpc/grpc-js";
import { Status as RpcStatus } from "@grpc-calculator/proto/errors";
import { CalculatorError } from "../core/calculator-error.js";
import { decodeDetails, type StatusDetail } from "../core/error-details.js";
import { type CallSettings, metadataEntries } from "../core/call-options.js";

/** grpc-js metadata and call options for one call. */
export function grpcCallArgs(call: CallSettings): { metadata: Metadata; callOptions: GrpcCallOptions } {
  const metadata = new Metadata({ waitForReady: call.waitForReady });
  if (call.metadata instanceof Metadata) {
    metadata.merge(call.metadata);
  } else {
    for (const [key, value] of metadataEntries(call.metadata)) {
      metadata.add(key, typeof value === "string" ? value : Buffer.from(value));
    }
  }
  return { metadata, callOptions: call.deadline === undefined ? {} : { deadline: call.deadline } };
}

/** Trailing metadata as `Headers`: binary (`-bin`) values base64, as gRPC carries them on the wire. */
function toHeaders(metadata: Metadata): Headers {
  const headers = new Headers();
  for (const [key, values] of Object.entries(metadata.toJSON())) {
    for (const value of values) headers.append(key, typeof value === "string" ? value : value.toString("base64"));
  }
  return headers;
}

/**
 * grpc-js (1.14.7) decodes `grpc-message` with `decodeURI`, which leaves the escapes of URI-reserved
 * characters (`; , / ? : @ & = + $ #`) in place. Servers that percent-encode with `encodeURIComponent`
 * (connect-node, so any Connect-based gRPC server) send ":" as "%3A", and the server's
 * "division by zero: second_operand is 0" arrived as "division by zero%3A second_operand is 0" (the
 * independent-server test). The gRPC spec lets an encoder escape any byte and asks decoders to decode them
 * all; these are the ones grpc-js leaves. The casualty is a message that literally contained such an escape
 * (sent as "%253A"): after grpc-js the two cannot be told apart.
 */
const reservedEscapes = /%(2[346BCF]|3[ABDF]|40)/gi;
const decodeReserved = (details: string) =>
  details.replace(reservedEscapes, (escape) => String.fromCharCode(parseInt(escape.slice(1), 16)));

/**
 * The details of the google.rpc.Status in `grpc-status-details-bin` (grpc-js hands binary metadata over
 * decoded from base64). A Status whose code is not the call's is not this status's, and bytes that do not
 * decode are no details: either way the call's own status stands, without details.
 */
function statusDetailsOf(metadata: Metadata, code: number): StatusDetail[] {
  const [bytes] = metadata.get("grpc-status-details-bin");
  if (!(bytes instanceof Buffer)) return [];
  try {
    const status = RpcStatus.decode(bytes);
    if (status.code !== code) return [];
    return status.details.map(({ typeUrl, value }) => ({ type: typeUrl.slice(typeUrl.lastIndexOf("/") + 1), value }));
  } catch {
    return [];
  }
}

/** Converts whatever a grpc-js call failed with into a CalculatorError. */
export function toCalculatorError(error: unknown): CalculatorError {
  if (error instanceof CalculatorError) return error;
  const e = error as { code?: unknown; details?: unknown; metadata?: unknown; message?: unknown } | null;
  if (e !== null && typeof e === "object" && typeof e.code === "number") {
    const details = typeof e.details === "string" ? decodeReserved(e.details) : String(e.message);
    const metadata = e.metadata instanceof Metadata ? e.metadata : undefined;
    return new CalculatorError(e.code, details, {
      cause: error,
      metadata: metadata && toHeaders(metadata),
      ...(metadata && decodeDetails(statusDetailsOf(metadata, e.code))),
    });
  }
  return new CalculatorError(Status.UNKNOWN, error instanceof Error ? error.message : String(error), { cause: error });
}

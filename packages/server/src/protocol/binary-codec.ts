/**
 * The Calculator's messages in the protobuf binary format, for the direct paths (gRPC, gRPC-Web,
 * Connect's `application/proto`): the codecs ts-proto generated from calculator.proto.
 */
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { status } from "@grpc/grpc-js";
import { BinaryOperation, CalculationResult } from "@grpc-calculator/proto";
import { CallError } from "../pipeline/call-error.js";

/** The request, or the INTERNAL error its bytes raise (gRPC's code for a message that does not parse). */
export function decodeRequest(bytes: Uint8Array): BinaryOperation | CallError {
  try {
    return BinaryOperation.decode(bytes);
  } catch (error) {
    return new CallError(
      status.INTERNAL,
      `cannot parse the request: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

// One writer for every answer: encoding is synchronous, and finish() hands back a copy and resets it.
const writer = new BinaryWriter();

export function encodeResponse(response: CalculationResult): Uint8Array {
  return CalculationResult.encode(response, writer).finish();
}

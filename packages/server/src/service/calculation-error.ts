/**
 * The calculator's errors as the caller receives them: the status and message `calculate` chose, and
 * the structured details calculator.proto's header promises — a google.rpc.ErrorInfo (AIP-193: a
 * stable `reason`, the `domain`, `metadata`) and, for INVALID_ARGUMENT, a google.rpc.BadRequest naming
 * the field — so that clients never parse a message. A `CalculateStream` failure adds the failing
 * request's index to the ErrorInfo's metadata and to the front of the message.
 */
import { CallError, type ErrorDetail } from "@grpc-calculator/rpc-server";
import { BadRequest, ErrorInfo, operationToJSON, type BinaryOperation, type Operation } from "@grpc-calculator/proto";
import type { BinaryWriter } from "@bufbuild/protobuf/wire";
import type { CalculationFailure } from "./calculate.js";

/** ErrorInfo's `domain` for every error of the service. */
export const ERROR_DOMAIN = "calculator";

/** ErrorInfo's `reason` for a request of a stream that could not be read (its bytes, its size). */
const UNREADABLE_REQUEST = "UNREADABLE_REQUEST";

/** A message as a detail: the generated codec's type name and the message's bytes. */
function detail<T>(codec: { readonly $type: string; encode(message: T): BinaryWriter }, message: T): ErrorDetail {
  return { type: codec.$type, value: codec.encode(message).finish() };
}

function errorInfo(reason: string, metadata: Record<string, string>): ErrorDetail {
  return detail(ErrorInfo, { reason, domain: ERROR_DOMAIN, metadata });
}

/** `Operation`'s name of a request's operation; its number when the enum has no such value. */
function operationName(operation: Operation): string {
  const name = operationToJSON(operation);
  return name === "UNRECOGNIZED" ? String(operation) : name;
}

/** `Calculate`'s failure; with `index`, that of the request at `index` of a `CalculateStream`. */
export function calculationError(request: BinaryOperation, failure: CalculationFailure, index?: number): CallError {
  const metadata: Record<string, string> = { operation: operationName(request.operation) };
  if (index !== undefined) metadata["requestIndex"] = String(index);
  const details = [errorInfo(failure.reason, metadata)];
  if (failure.field !== undefined) {
    const { field, message: description, reason } = failure;
    details.push(
      detail(BadRequest, { fieldViolations: [{ field, description, reason, localizedMessage: undefined }] }),
    );
  }
  return new CallError(failure.code, atIndex(failure.message, index), details);
}

/** A request of a `CalculateStream` that could not be read: the engine's error, with the request's index. */
export function unreadableRequest(error: CallError, index: number): CallError {
  const details = [errorInfo(UNREADABLE_REQUEST, { requestIndex: String(index) })];
  return new CallError(error.code, atIndex(error.message, index), details);
}

/** `CalculateStream`'s message: the unary one after the request's zero-based index. */
const atIndex = (message: string, index: number | undefined) =>
  index === undefined ? message : `operation ${index}: ${message}`;

import { BadRequest, type BadRequest_FieldViolation, ErrorInfo } from "@grpc-calculator/proto/errors";

/**
 * One detail of an error as the server sent it in its google.rpc.Status: the detail message's type name
 * (`"google.rpc.BadRequest"`, the type URL without `type.googleapis.com/`) and its protobuf bytes.
 */
export interface StatusDetail {
  readonly type: string;
  readonly value: Uint8Array;
}

/** The details of a status: as they came, and those calculator.proto says its errors carry, decoded. */
export interface StatusDetails {
  readonly statusDetails: readonly StatusDetail[];
  /** The first google.rpc.ErrorInfo: `reason` (e.g. `"DIVISION_BY_ZERO"`), `domain`, `metadata`. */
  readonly errorInfo: ErrorInfo | undefined;
  /** The field violations of every google.rpc.BadRequest, in order. */
  readonly fieldViolations: readonly BadRequest_FieldViolation[];
}

/**
 * Decodes the details the SDK knows (with the contract package's generated decoders); any other type stays
 * in the raw list only. A detail whose bytes do not decode is left out, as connect-es's `findDetails` does:
 * a malformed detail must not turn the server's status into a different error. The Node entry decodes as
 * it reads a status; the web entry loads this module only once an error brings details (web/transport.ts).
 */
export function decodeDetails(details: readonly StatusDetail[]): StatusDetails {
  let errorInfo: ErrorInfo | undefined;
  const fieldViolations: BadRequest_FieldViolation[] = [];
  for (const { type, value } of details) {
    try {
      if (type === ErrorInfo.$type) errorInfo ??= ErrorInfo.decode(value);
      else if (type === BadRequest.$type) fieldViolations.push(...BadRequest.decode(value).fieldViolations);
    } catch {
      // left out, see above
    }
  }
  return { statusDetails: details, errorInfo, fieldViolations };
}

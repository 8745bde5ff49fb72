import type { BadRequest_FieldViolation, ErrorInfo } from "@grpc-calculator/proto/errors";
import type { StatusDetail, StatusDetails } from "./error-details.js";
import { type StatusName, statusNames } from "./status.js";

export type { StatusName } from "./status.js";
export type { StatusDetail } from "./error-details.js";

// A registered symbol rather than `instanceof` alone: the ESM and CJS builds of this package are
// distinct classes, and an app may load both (the dual-package hazard).
const brand = Symbol.for("@grpc-calculator/client.CalculatorError");

/** How a CalculatorError is made; `statusDetails`, `errorInfo` and `fieldViolations` as `decodeDetails` gives them. */
export interface CalculatorErrorOptions extends Partial<StatusDetails> {
  /** The error this one wraps: a grpc-js `ServiceError`, a `ConnectError`, an abort reason, ... */
  readonly cause?: unknown;
  /** Trailing metadata the server sent with the status. */
  readonly metadata?: Headers | undefined;
  /** For `calculateMany`: the zero-based index of the operation that failed. */
  readonly index?: number | undefined;
}

/**
 * Every failure of a calculator call, in Node and in browsers alike: a gRPC status code (numeric `code`
 * and its `codeName`), the server's message (`details`), its structured details (`errorInfo`,
 * `fieldViolations`, `statusDetails`: google.rpc.Status's, the same over grpc-js, Connect and gRPC-Web),
 * and the original error as `cause`. Arguments the client can check itself (a NaN operand, an unknown
 * operation) fail the same way with `INVALID_ARGUMENT`, before any network traffic (and without details).
 */
export class CalculatorError extends Error {
  /** The gRPC status code, e.g. `3` (compare with `status.INVALID_ARGUMENT` from `@grpc/grpc-js`). */
  readonly code: number;
  /** The status code's name, e.g. `"INVALID_ARGUMENT"`. */
  readonly codeName: StatusName;
  /** The message as the server (or the client's own check) wrote it, e.g. `"division by zero"`. */
  readonly details: string;
  /** Trailing metadata from the server (binary `-bin` values base64, as on the wire); empty without an answer. */
  readonly metadata: Headers;
  /** For `calculateMany`: the zero-based index of the operation that failed, when known. */
  readonly index: number | undefined;
  /**
   * The google.rpc.ErrorInfo the server sent (calculator.proto): `reason`, a stable code such as
   * `"DIVISION_BY_ZERO"` or `"RESULT_OUT_OF_RANGE"`; `domain` (`"calculator"`); `metadata` (`operation`, …).
   */
  readonly errorInfo: ErrorInfo | undefined;
  /**
   * The request fields the server refused (google.rpc.BadRequest), named as calculator.proto spells them:
   * `[{ field: "second_operand", reason: "DIVISION_BY_ZERO", description: "division by zero: …" }]`.
   */
  readonly fieldViolations: readonly BadRequest_FieldViolation[];
  /** Every detail of the server's google.rpc.Status as it came (type name and bytes), known types or not. */
  readonly statusDetails: readonly StatusDetail[];

  constructor(code: number, details: string, options: CalculatorErrorOptions = {}) {
    const codeName = statusNames[code] ?? "UNKNOWN";
    super(`${codeName}: ${details}`, { cause: options.cause });
    this.name = "CalculatorError";
    this.code = code;
    this.codeName = codeName;
    this.details = details;
    this.metadata = options.metadata ?? new Headers();
    this.index = options.index;
    this.statusDetails = options.statusDetails ?? [];
    this.errorInfo = options.errorInfo;
    this.fieldViolations = options.fieldViolations ?? [];
  }

  /** Recognizes a `CalculatorError` from either build (ESM or CJS) of this package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }
}
Object.defineProperty(CalculatorError.prototype, brand, { value: true });

/** Type guard: whether `value` is a {@link CalculatorError} (from either build of this package). */
export function isCalculatorError(value: unknown): value is CalculatorError {
  return value instanceof CalculatorError;
}

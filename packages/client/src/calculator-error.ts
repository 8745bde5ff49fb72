import { Metadata, status as Status } from "@grpc/grpc-js";

/** A gRPC status code name, from grpc-js's `status` enum: `"INVALID_ARGUMENT"`, `"UNAVAILABLE"`, ... */
export type StatusName = keyof typeof Status;

// A registered symbol rather than `instanceof` alone: the ESM and CJS builds of this package are
// distinct classes, and an app may load both (the dual-package hazard).
const brand = Symbol.for("@grpc-calculator/client.CalculatorError");

export interface CalculatorErrorOptions {
  /** The error this one wraps: a grpc-js `ServiceError`, an abort reason, ... */
  readonly cause?: unknown;
  /** Trailing metadata the server sent with the status. */
  readonly metadata?: Metadata | undefined;
  /** For `calculateMany`: the zero-based index of the operation that failed. */
  readonly index?: number | undefined;
}

/**
 * Every failure of a calculator call: a gRPC status code (numeric `code` and its `codeName`), the
 * server's message (`details`), and the original error as `cause`. Arguments the client can check
 * itself (a NaN operand, an unknown operation) fail the same way with `INVALID_ARGUMENT`, before any
 * network traffic.
 */
export class CalculatorError extends Error {
  /** The gRPC status code, e.g. `3` (compare with `status.INVALID_ARGUMENT` from `@grpc/grpc-js`). */
  readonly code: Status;
  /** The status code's name, e.g. `"INVALID_ARGUMENT"`. */
  readonly codeName: StatusName;
  /** The message as the server (or the client's own check) wrote it, e.g. `"division by zero"`. */
  readonly details: string;
  /** Trailing metadata from the server, when there was a server answer. */
  readonly metadata: Metadata;
  /** For `calculateMany`: the zero-based index of the operation that failed, when known. */
  readonly index: number | undefined;

  constructor(code: Status, details: string, options: CalculatorErrorOptions = {}) {
    const codeName = (Status[code] as StatusName | undefined) ?? "UNKNOWN";
    super(`${codeName}: ${details}`, { cause: options.cause });
    this.name = "CalculatorError";
    this.code = code;
    this.codeName = codeName;
    this.details = details;
    this.metadata = options.metadata ?? new Metadata();
    this.index = options.index;
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

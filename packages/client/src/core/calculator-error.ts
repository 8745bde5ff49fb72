import { type StatusName, statusNames } from "./status.js";

export type { StatusName } from "./status.js";

// A registered symbol rather than `instanceof` alone: the ESM and CJS builds of this package are
// distinct classes, and an app may load both (the dual-package hazard).
const brand = Symbol.for("@grpc-calculator/client.CalculatorError");

export interface CalculatorErrorOptions {
  /** The error this one wraps: a grpc-js `ServiceError`, a `ConnectError`, an abort reason, ... */
  readonly cause?: unknown;
  /** Trailing metadata the server sent with the status. */
  readonly metadata?: Headers | undefined;
  /** For `calculateMany`: the zero-based index of the operation that failed. */
  readonly index?: number | undefined;
}

/**
 * Every failure of a calculator call, in Node and in browsers alike: a gRPC status code (numeric `code`
 * and its `codeName`), the server's message (`details`), and the original error as `cause`. Arguments
 * the client can check itself (a NaN operand, an unknown operation) fail the same way with
 * `INVALID_ARGUMENT`, before any network traffic.
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

  constructor(code: number, details: string, options: CalculatorErrorOptions = {}) {
    const codeName = statusNames[code] ?? "UNKNOWN";
    super(`${codeName}: ${details}`, { cause: options.cause });
    this.name = "CalculatorError";
    this.code = code;
    this.codeName = codeName;
    this.details = details;
    this.metadata = options.metadata ?? new Headers();
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

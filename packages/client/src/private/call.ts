import { type CallOptions as GrpcCallOptions, Metadata, type MetadataValue, status as Status } from "@grpc/grpc-js";
import { CalculatorError } from "../calculator-error.js";

/** Options of one call. */
export interface CallOptions {
  /** Cancels the call; it then fails with a `CANCELLED` CalculatorError whose `cause` is `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
  /** Time allowed for the call, in milliseconds (`Infinity`: none). Default: the client's `timeoutMs`. */
  readonly timeoutMs?: number | undefined;
  /** Absolute deadline (a `Date` or epoch milliseconds); wins over `timeoutMs`. */
  readonly deadline?: Date | number | undefined;
  /** Request metadata (headers). */
  readonly metadata?: Metadata | Readonly<Record<string, MetadataValue | readonly MetadataValue[]>> | undefined;
  /** Wait for the channel to connect (until the deadline) instead of failing fast when it cannot. */
  readonly waitForReady?: boolean | undefined;
}

/** Client-wide defaults for calls. */
export interface CallDefaults {
  readonly timeoutMs: number;
  readonly waitForReady: boolean;
}

/** grpc-js metadata and call options for one call. `timeoutMs` undefined in defaults: no deadline. */
export function grpcCallArgs(
  options: CallOptions,
  defaults: { readonly timeoutMs: number | undefined; readonly waitForReady: boolean },
): { metadata: Metadata; callOptions: GrpcCallOptions } {
  const metadata = new Metadata({ waitForReady: options.waitForReady ?? defaults.waitForReady });
  if (options.metadata instanceof Metadata) {
    metadata.merge(options.metadata);
  } else if (options.metadata) {
    for (const [key, value] of Object.entries(options.metadata)) {
      for (const item of Array.isArray(value) ? value : [value]) metadata.add(key, item as MetadataValue);
    }
  }
  const callOptions: GrpcCallOptions = {};
  const timeoutMs = options.timeoutMs ?? defaults.timeoutMs;
  if (options.deadline !== undefined) callOptions.deadline = options.deadline;
  else if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) callOptions.deadline = Date.now() + timeoutMs;
  return { metadata, callOptions };
}

/** The error a call aborted through its signal fails with. */
export function abortedError(signal: AbortSignal, cause?: unknown): CalculatorError {
  return new CalculatorError(Status.CANCELLED, "the call was aborted", { cause: signal.reason ?? cause });
}

/** Converts whatever a grpc-js call failed with into a CalculatorError (streams: with the failed index). */
export function toCalculatorError(error: unknown, options: { stream?: boolean } = {}): CalculatorError {
  if (error instanceof CalculatorError) return error;
  const e = error as { code?: unknown; details?: unknown; metadata?: unknown; message?: unknown } | null;
  if (e !== null && typeof e === "object" && typeof e.code === "number") {
    const details = typeof e.details === "string" ? e.details : String(e.message);
    const index = options.stream ? /^operation (\d+):/.exec(details)?.[1] : undefined;
    return new CalculatorError(e.code, details, {
      cause: error,
      metadata: e.metadata instanceof Metadata ? e.metadata : undefined,
      index: index === undefined ? undefined : Number(index),
    });
  }
  return new CalculatorError(Status.UNKNOWN, error instanceof Error ? error.message : String(error), { cause: error });
}

import { CalculatorError } from "./calculator-error.js";
import { statusCode } from "./status.js";

/** A grpc-js `Metadata` (Node only), matched by shape so that these types need no grpc-js. */
export interface GrpcMetadataLike {
  getMap(): Readonly<Record<string, string | Uint8Array>>;
  toJSON(): Readonly<Record<string, readonly (string | Uint8Array)[]>>;
}

/**
 * Request metadata (headers): a record (a value or a list of values per key; `Uint8Array` values for
 * `-bin` keys), a `Headers`, or in Node a grpc-js `Metadata`.
 */
export type CallMetadata =
  Readonly<Record<string, string | Uint8Array | readonly (string | Uint8Array)[]>> | Headers | GrpcMetadataLike;

/** Options of one call. */
export interface CallOptions {
  /** Cancels the call; it then fails with a `CANCELLED` CalculatorError whose `cause` is `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
  /** Time allowed for the call, in milliseconds (`Infinity`: none). Default: the client's `timeoutMs`. */
  readonly timeoutMs?: number | undefined;
  /** Absolute deadline (a `Date` or epoch milliseconds); wins over `timeoutMs`. */
  readonly deadline?: Date | number | undefined;
  /** Request metadata (headers). */
  readonly metadata?: CallMetadata | undefined;
  /**
   * Node: wait for the channel to connect (until the deadline) instead of failing fast when it cannot.
   * The web entry has no connection to wait for and ignores it.
   */
  readonly waitForReady?: boolean | undefined;
}

/** What a transport needs to make one call, resolved from the call's options and the client's defaults. */
export interface CallSettings {
  /** Epoch milliseconds; undefined: no deadline. */
  readonly deadline: number | undefined;
  readonly metadata: CallMetadata | undefined;
  readonly waitForReady: boolean;
  readonly signal: AbortSignal | undefined;
}

/** Client-wide defaults: `timeoutMs` undefined means no deadline (streams). */
export interface CallDefaults {
  readonly timeoutMs: number | undefined;
  readonly waitForReady: boolean;
}

/** Resolves a call's options against the defaults, taking the deadline from now. */
export function callSettings(options: CallOptions, defaults: CallDefaults): CallSettings {
  const timeoutMs = options.timeoutMs ?? defaults.timeoutMs;
  const deadline =
    options.deadline !== undefined
      ? Number(options.deadline)
      : timeoutMs !== undefined && Number.isFinite(timeoutMs)
        ? Date.now() + timeoutMs
        : undefined;
  return {
    deadline,
    metadata: options.metadata,
    waitForReady: options.waitForReady ?? defaults.waitForReady,
    signal: options.signal,
  };
}

/** Every key/value pair of request metadata, in order, a list value giving one pair per item. */
export function metadataEntries(metadata: CallMetadata | undefined): [string, string | Uint8Array][] {
  const entries: [string, string | Uint8Array][] = [];
  if (metadata === undefined) return entries;
  if (metadata instanceof Headers) {
    metadata.forEach((value, key) => entries.push([key, value]));
    return entries;
  }
  const record = isGrpcMetadata(metadata) ? metadata.toJSON() : metadata;
  for (const [key, value] of Object.entries(record)) {
    for (const item of Array.isArray(value) ? (value as readonly (string | Uint8Array)[]) : [value]) {
      entries.push([key, item as string | Uint8Array]);
    }
  }
  return entries;
}

function isGrpcMetadata(metadata: object): metadata is GrpcMetadataLike {
  return typeof (metadata as Partial<GrpcMetadataLike>).getMap === "function";
}

/** The error a call aborted through its signal fails with. */
export function abortedError(signal: AbortSignal, cause?: unknown): CalculatorError {
  return new CalculatorError(statusCode("CANCELLED"), "the call was aborted", { cause: signal.reason ?? cause });
}

/** The error of a call on a closed client, as grpc-go answers calls on a closed connection. */
export const closedError = (): CalculatorError => new CalculatorError(statusCode("CANCELLED"), "the client is closed");

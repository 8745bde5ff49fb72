/**
 * What a call is, whatever carried it: which method, over which protocol and HTTP version, served
 * by which code path, its request headers, peer, deadline and cancellation. Transports create one
 * per call; the service and every middleware read it.
 */
import type { SpanIds } from "../telemetry/trace-context.js";

/** The wire protocols the server speaks. */
export type Protocol = "grpc" | "grpc-web" | "connect";

/**
 * The code that decoded and encoded the call: the server's own direct path (src/protocol-*), or the
 * library it falls back to for everything else (grpc-js for gRPC, connect-es for the web protocols).
 */
export type ServedBy = "direct" | "grpc-js" | "connect-es";

/** A method of a service, as every protocol names it. */
export interface MethodInfo {
  /** "Calculator" */
  readonly service: string;
  /** "Calculate" */
  readonly name: string;
  /** "/Calculator/Calculate": the HTTP path of every protocol. */
  readonly path: string;
  /** Streams of requests and responses (CalculateStream) rather than one of each. */
  readonly streaming: boolean;
}

export interface CallContext {
  readonly method: MethodInfo;
  readonly protocol: Protocol;
  readonly servedBy: ServedBy;
  readonly httpVersion: "1.1" | "2";
  /** `performance.now()` when the call's headers arrived. */
  readonly startTime: number;
  /** When the call must end, in `Date.now()` milliseconds; `Infinity` without a deadline. */
  readonly deadline: number;
  /** Aborted when the call ends early: cancelled by the client, past its deadline, or the server is shutting down. */
  readonly signal: AbortSignal;
  /** The client's address, `ip:port` (`[ip]:port` for IPv6), when known. */
  readonly peer: string | undefined;
  /** A request header (gRPC metadata), by lower-case name: the first value, undefined when absent. */
  readonly header: HeaderLookup;
  /**
   * The span that stands for this call, when tracing is on: set by the telemetry middleware (the
   * outermost one, src/telemetry/call-telemetry.ts) as the call starts, so the log lines name it.
   */
  trace: SpanIds | undefined;
}

/** Where a transport finds the request headers of a call. */
export type HeaderLookup = (name: string) => string | undefined;

/**
 * The transports' CallContext. What most calls never read is made only when read: the peer's
 * address string and the abort signal.
 */
export class TransportCallContext implements CallContext {
  readonly startTime = performance.now();
  readonly deadline: number;
  trace: SpanIds | undefined = undefined;
  #controller: AbortController | undefined;
  #abortReason: unknown;
  #peer: (() => string | undefined) | string | undefined;

  constructor(
    readonly method: MethodInfo,
    readonly protocol: Protocol,
    readonly servedBy: ServedBy,
    readonly httpVersion: "1.1" | "2",
    readonly header: HeaderLookup,
    peer: (() => string | undefined) | undefined,
    timeoutMs: number,
  ) {
    this.#peer = peer;
    this.deadline = timeoutMs === Number.POSITIVE_INFINITY ? timeoutMs : Date.now() + timeoutMs;
  }

  get peer(): string | undefined {
    if (typeof this.#peer === "function") this.#peer = this.#peer();
    return this.#peer;
  }

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    if (this.#abortReason !== undefined && !this.#controller.signal.aborted) this.#controller.abort(this.#abortReason);
    return this.#controller.signal;
  }

  /** The call ended early (cancelled, deadline, shutdown): aborts `signal` if anyone holds it. */
  abort(reason: unknown): void {
    this.#abortReason ??= reason;
    this.#controller?.abort(reason);
  }
}

/**
 * What a call is, whatever carried it: which method, over which protocol and HTTP version, served
 * by which code path, its request headers, peer, deadline and cancellation, and the headers and
 * trailers the handler wants to send. Transports create one per call; handlers and middleware read it.
 *
 * The deadline is kept here, once for every protocol: a call with a deadline arms one timer, which
 * aborts the call with DEADLINE_EXCEEDED. Cancellation by the client and the end of a shutdown's
 * grace period abort it too; `signal` tells the handler.
 */
import { wireErrors, type CallError } from "./call-error.js";
import type { MethodInfo } from "./service.js";

/** The wire protocols the engine speaks (`rest`: google.api.http routes, JSON transcoded from HTTP). */
export type Protocol = "grpc" | "grpc-web" | "connect" | "rest";

/**
 * The code that decoded and encoded the call: the engine's own direct path (src/protocol-*), or the
 * library it falls back to for everything else (grpc-js for gRPC, connect-es for the web protocols).
 */
export type ServedBy = "direct" | "grpc-js" | "connect-es";

/** A request header (gRPC metadata) by lower-case name: the first value, undefined when absent. */
export type HeaderLookup = (name: string) => string | undefined;

/** The span that stands for a call, when tracing is on (W3C trace context ids, lower-case hex). */
export interface SpanIds {
  readonly traceId: string;
  readonly spanId: string;
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
  /**
   * A request header (gRPC metadata), by lower-case name: the first value, undefined when absent.
   * Binary (`-bin`) metadata as it travels: base64.
   */
  readonly header: HeaderLookup;
  /**
   * Headers to send with the response (gRPC initial metadata). Set them before the first response
   * message: what is set later is not sent. Binary (`-bin`) values in base64.
   */
  readonly responseHeader: Headers;
  /** Trailers to send with the call's status (gRPC trailing metadata), on success and failure alike. */
  readonly responseTrailer: Headers;
  /**
   * The span that stands for this call, when tracing is on: set by a telemetry middleware (the
   * outermost one) as the call starts, so the log lines name it.
   */
  trace: SpanIds | undefined;
}

/** Header names the protocols own: a handler's response headers and trailers never replace them. */
const RESERVED =
  /^(?::|content-type$|content-length$|grpc-(?:status|message|encoding|accept-encoding|timeout)$|connect-)/;

/** A handler's headers or trailers, as `[name, value]` pairs a protocol may add to its own. */
export function userHeaders(headers: Headers | undefined): [string, string][] {
  if (headers === undefined) return [];
  const pairs: [string, string][] = [];
  for (const [name, value] of headers) if (!RESERVED.test(name)) pairs.push([name, value]);
  return pairs;
}

/**
 * The transports' CallContext. What most calls never read is made only when read: the peer's
 * address string, the abort signal, the response headers and trailers.
 */
export class TransportCallContext implements CallContext {
  readonly startTime = performance.now();
  readonly deadline: number;
  trace: SpanIds | undefined = undefined;
  #controller: AbortController | undefined;
  #abortReason: CallError | undefined;
  // Most calls have one listener (their transport's): kept without an array until a second comes.
  #onAbort: ((reason: CallError) => void) | ((reason: CallError) => void)[] | undefined;
  #timer: NodeJS.Timeout | undefined;
  #ended = false;
  #peer: (() => string | undefined) | string | undefined;
  #responseHeader: Headers | undefined;
  #responseTrailer: Headers | undefined;

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
    if (timeoutMs === Number.POSITIVE_INFINITY) {
      this.deadline = timeoutMs;
    } else {
      this.deadline = Date.now() + timeoutMs;
      this.#timer = setTimeout(() => this.abort(wireErrors.deadlineExceeded), timeoutMs);
    }
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

  get responseHeader(): Headers {
    return (this.#responseHeader ??= new Headers());
  }

  get responseTrailer(): Headers {
    return (this.#responseTrailer ??= new Headers());
  }

  /** The handler's response headers, if it set any (without making the Headers object). */
  get setResponseHeader(): Headers | undefined {
    return this.#responseHeader;
  }

  /** The handler's trailers, if it set any. */
  get setResponseTrailer(): Headers | undefined {
    return this.#responseTrailer;
  }

  /** Why the call was aborted, once it was. */
  get abortReason(): CallError | undefined {
    return this.#abortReason;
  }

  /** Calls `listener` once if the call is aborted before it ends (at once if it already was). */
  onAbort(listener: (reason: CallError) => void): void {
    if (this.#abortReason !== undefined) return listener(this.#abortReason);
    if (this.#ended) return;
    const listeners = this.#onAbort;
    if (listeners === undefined) this.#onAbort = listener;
    else if (typeof listeners === "function") this.#onAbort = [listeners, listener];
    else listeners.push(listener);
  }

  /** The call ended early (cancelled, deadline, shutdown): aborts `signal` and tells the transport. Once. */
  abort(reason: CallError): void {
    if (this.#ended || this.#abortReason !== undefined) return;
    this.#abortReason = reason;
    clearTimeout(this.#timer);
    this.#controller?.abort(reason);
    const listeners = this.#onAbort;
    this.#onAbort = undefined;
    if (typeof listeners === "function") listeners(reason);
    else if (listeners !== undefined) for (const listener of listeners) listener(reason);
  }

  /** The call's answer is out: no deadline or cancellation can change it any more. */
  end(): void {
    this.#ended = true;
    this.#onAbort = undefined;
    clearTimeout(this.#timer);
  }
}

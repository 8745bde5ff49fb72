/**
 * Telemetry, the middleware: what every call's span and metrics are made of, whatever protocol
 * carried it. It must be the outermost middleware. As a call starts it reads the caller's trace
 * context and names the call's span (`context.trace`), so the log lines of every inner middleware
 * carry the span's ids; as the call ends it hands a FinishedCall to `record` (the OpenTelemetry SDK
 * once loaded, a bounded queue until then: see telemetry.ts) and keeps the count of calls in flight.
 *
 * Nothing here imports OpenTelemetry: this module is in the server's start-up code, the SDK is not.
 * The span is created from the FinishedCall when the call ends, with the call's start time (when its
 * headers arrived) and the ids chosen here.
 */
import {
  Code as status,
  observeUnary,
  toCallError,
  type CallContext,
  type CallError,
  type MethodInfo,
  type Middleware,
  type Protocol,
  type ServedBy,
} from "@grpc-calculator/rpc-server";
import { newSpanId, newTraceId, traceContextFrom, type RemoteTraceContext, type SpanIds } from "./trace-context.js";

/** One call, as its span and metrics describe it. */
export interface FinishedCall {
  readonly method: MethodInfo;
  readonly protocol: Protocol;
  readonly servedBy: ServedBy;
  readonly httpVersion: "1.1" | "2";
  /** `performance.now()` when the headers arrived, and when the call ended. */
  readonly startTime: number;
  readonly endTime: number;
  readonly code: status;
  /** The code's name in gRPC: OK, INVALID_ARGUMENT… */
  readonly codeName: string;
  /** The error's message, for a failed call. */
  readonly message: string | undefined;
  /** A streaming call: how many responses it sent. */
  readonly operations: number | undefined;
  /** The call's span (tracing on) and the caller's trace context it continues. */
  readonly span: SpanIds | undefined;
  readonly parent: RemoteTraceContext | undefined;
}

/** Calls in flight per protocol: the middleware counts, the SDK's observable gauge reads. */
export type ActiveCalls = Record<Protocol, number>;

export interface CallTelemetryOptions {
  /** Whether calls get spans (OTEL_TRACES_EXPORTER); metrics are always recorded. */
  readonly tracing: boolean;
  readonly active: ActiveCalls;
  readonly record: (call: FinishedCall) => void;
}

export function callTelemetry({ tracing, active, record }: CallTelemetryOptions): Middleware {
  /** As the call starts: counts it, and names its span. */
  const begin = (context: CallContext): RemoteTraceContext | undefined => {
    active[context.protocol] += 1;
    if (!tracing) return undefined;
    const parent = traceContextFrom(context.header);
    context.trace = { traceId: parent?.traceId ?? newTraceId(), spanId: newSpanId() };
    return parent;
  };
  const finish = (
    context: CallContext,
    parent: RemoteTraceContext | undefined,
    error: CallError | undefined,
    operations: number | undefined,
  ): void => {
    active[context.protocol] -= 1;
    const code = error?.code ?? status.OK;
    record({
      method: context.method,
      protocol: context.protocol,
      servedBy: context.servedBy,
      httpVersion: context.httpVersion,
      startTime: context.startTime,
      endTime: performance.now(),
      code,
      codeName: status[code],
      message: error?.message,
      operations,
      span: context.trace,
      parent,
    });
  };

  return {
    unary(next) {
      return (request, context) => {
        const parent = begin(context);
        return observeUnary(
          () => next(request, context),
          () => finish(context, parent, undefined, undefined),
          (error) => finish(context, parent, toCallError(error), undefined),
        );
      };
    },

    stream(context) {
      const parent = begin(context);
      let responses = 0;
      return {
        response() {
          responses += 1;
        },
        end(error) {
          finish(context, parent, error, responses);
        },
      };
    },
  };
}

/**
 * OpenTelemetry for Node callers, when the application has `@opentelemetry/api` (an optional peer
 * dependency; nothing is loaded when it is absent): every call carries the active context to the service
 * in its metadata (`traceparent`, `tracestate`, whatever the application's propagator writes), so the
 * caller's trace continues into the service's spans; with `clientSpans`, each call is also a CLIENT span
 * named and attributed after the RPC semantic conventions for gRPC
 * (https://opentelemetry.io/docs/specs/semconv/rpc/grpc/): `rpc.system.name`, `rpc.method`,
 * `rpc.response.status_code`, `server.address`, `server.port`, and `error.type` for a status other than OK.
 *
 * It is a grpc-js client interceptor. The API module is imported once, on the first call; the call's
 * context is read when the import has settled, in the caller's own async context (promise continuations
 * keep it), so even the first call carries it. Once the import has failed, calls skip the interceptor.
 */
import { InterceptingCall, type Interceptor, type Metadata, status as Status, type StatusObject } from "@grpc/grpc-js";
import type * as OpenTelemetryApi from "@opentelemetry/api";
import { statusNames } from "../core/status.js";
import type { CalculatorTarget } from "../core/target.js";

type Api = typeof OpenTelemetryApi;

let loading: Promise<Api | undefined> | undefined;
let absent = false;

function openTelemetryApi(): Promise<Api | undefined> {
  return (loading ??= import("@opentelemetry/api").then(
    (api) => api,
    () => {
      absent = true;
      return undefined;
    },
  ));
}

const setter: OpenTelemetryApi.TextMapSetter<Metadata> = { set: (metadata, key, value) => metadata.set(key, value) };

export interface OpenTelemetryOptions {
  /** Record a CLIENT span for every call (the active context is propagated either way). Default false. */
  readonly clientSpans?: boolean | undefined;
}

export function openTelemetryInterceptor(
  target: CalculatorTarget,
  { clientSpans = false }: OpenTelemetryOptions,
): Interceptor {
  return (options, nextCall) => {
    if (absent) return new InterceptingCall(nextCall(options));
    const method = options.method_definition.path.replace(/^\//, "");
    return new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        void openTelemetryApi().then((api) => {
          if (api === undefined) return next(metadata, listener);
          let context = api.context.active();
          let span: OpenTelemetryApi.Span | undefined;
          if (clientSpans) {
            span = api.trace.getTracer("@grpc-calculator/client").startSpan(
              method,
              {
                kind: api.SpanKind.CLIENT,
                attributes: {
                  "rpc.system.name": "grpc",
                  "rpc.method": method,
                  "server.address": target.host,
                  "server.port": target.port,
                },
              },
              context,
            );
            context = api.trace.setSpan(context, span);
          }
          api.propagation.inject(context, metadata, setter);
          if (span === undefined) return next(metadata, listener);
          const ended = span;
          next(metadata, {
            ...listener,
            onReceiveStatus(status: StatusObject) {
              const name = statusNames[status.code] ?? String(status.code);
              ended.setAttribute("rpc.response.status_code", name);
              if (status.code !== Status.OK) {
                ended.setAttribute("error.type", name);
                ended.setStatus({ code: api.SpanStatusCode.ERROR, message: status.details });
              }
              ended.end();
              listener.onReceiveStatus?.(status);
            },
          });
        });
      },
    });
  };
}

/**
 * Request logging, the middleware: one line per call, whatever protocol carried it. A call that
 * succeeds is a DEBUG line ("calculated", with its request and response; for a stream, how many
 * operations it answered); a call that fails is a WARNING with its status code and message, a
 * cancelled one (the client's choice) DEBUG. Lines carry the method, protocol, the path that served
 * the call (`servedBy`), and Cloud Logging's trace fields: the call's span when tracing is on, else the
 * caller's span when the call has a trace header.
 *
 * The level is fixed for the server's life: at INFO and above nothing of this runs per call.
 */
import { status } from "@grpc/grpc-js";
import { traceFieldsFrom, traceFieldsOf, type Logger } from "../logger.js";
import type { CallContext } from "./call-context.js";
import { CallError, toCallError } from "./call-error.js";
import type { Middleware, StreamSession } from "./middleware.js";

export interface RequestLoggingOptions {
  readonly logger: Logger;
  /** GOOGLE_CLOUD_PROJECT, for the trace fields. */
  readonly googleCloudProject: string | undefined;
  /** A request as log lines show it (e.g. with the enum's name rather than its number). */
  readonly describeRequest: (request: never) => unknown;
}

export function requestLogging({ logger, googleCloudProject, describeRequest }: RequestLoggingOptions): Middleware {
  const debug = logger.isLevelEnabled("debug");
  const warn = logger.isLevelEnabled("warn");
  const describe = describeRequest as (request: unknown) => unknown;
  const fields = (context: CallContext, request: unknown): Record<string, unknown> => ({
    method: context.method.path,
    protocol: context.protocol,
    servedBy: context.servedBy,
    // The call's own span when tracing is on, else the caller's span from the trace headers.
    ...(context.trace === undefined
      ? traceFieldsFrom(context.header, googleCloudProject)
      : traceFieldsOf(context.trace, googleCloudProject)),
    ...(request === undefined || request instanceof CallError ? {} : { request: describe(request) }),
  });
  const failed = (context: CallContext, request: unknown, error: CallError, extra?: Record<string, unknown>) => {
    const line = { ...fields(context, request), ...extra, code: error.code };
    if (error.code === status.CANCELLED) {
      if (debug) logger.debug(line, error.message);
    } else if (warn) {
      logger.warn(line, error.message);
    }
  };

  return {
    unary(next) {
      if (!debug && !warn) return next;
      return (request, context) => {
        let response;
        try {
          response = next(request, context);
        } catch (error) {
          failed(context, request, toCallError(error));
          throw error;
        }
        if (debug) logger.debug({ ...fields(context, request), response }, "calculated");
        return response;
      };
    },

    stream(next) {
      if (!debug && !warn) return next;
      return (context) => {
        const session = next(context);
        let operations = 0;
        let rejected: unknown;
        const logged: StreamSession<unknown, unknown> = {
          next(request) {
            try {
              const response = session.next(request as never);
              operations += 1;
              return response;
            } catch (error) {
              rejected = request;
              throw error;
            }
          },
          end(error) {
            session.end(error);
            if (error === undefined) {
              if (debug) logger.debug({ ...fields(context, undefined), operations }, "stream calculated");
            } else {
              failed(context, rejected, error, { operations });
            }
          },
        };
        return logged as typeof session;
      };
    },
  };
}

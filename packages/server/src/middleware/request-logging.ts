/**
 * Request logging, a middleware of the engine: one line per call, whatever protocol carried it. A
 * call that succeeds is a DEBUG line ("calculated", with its request and response; for a stream, how
 * many responses it sent); a call that fails is a WARNING with its status code and message, a
 * cancelled one (the client's choice) DEBUG. An exception that is not a CallError is a bug in the
 * server: an ERROR line with its stack (`err.stack`, which names src/*.ts files and lines in the
 * image, whose Node runs with source maps), once, and the caller gets INTERNAL. Lines carry the
 * method, protocol, the path that served the call (`servedBy`), and Cloud Logging's trace fields: the
 * call's span when tracing is on, else the caller's span when the call has a trace header.
 *
 * The level is fixed for the server's life: at INFO and above nothing of this runs per call.
 */
import {
  CallError,
  Code,
  observeUnary,
  toCallError,
  type CallContext,
  type Middleware,
} from "@grpc-calculator/rpc-server";
import { traceFieldsFrom, traceFieldsOf, type Logger } from "../logger.js";

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
  const bugs = logger.isLevelEnabled("error");
  if (!debug && !warn && !bugs) return {};
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
  const failed = (context: CallContext, request: unknown, thrown: unknown, extra?: Record<string, unknown>) => {
    const error = toCallError(thrown);
    const line = { ...fields(context, request), ...extra, code: error.code };
    if (!(thrown instanceof CallError)) {
      if (bugs) logger.error({ ...line, err: thrown }, error.message);
    } else if (error.code === Code.CANCELLED) {
      if (debug) logger.debug(line, error.message);
    } else if (warn) {
      logger.warn(line, error.message);
    }
  };

  return {
    unary(next) {
      return (request, context) =>
        observeUnary(
          () => next(request, context),
          (response) => {
            if (debug) logger.debug({ ...fields(context, request), response }, "calculated");
          },
          (error) => failed(context, request, error),
        );
    },

    stream(context) {
      let responses = 0;
      let lastRequest: unknown;
      return {
        request(message) {
          lastRequest = message;
        },
        response() {
          responses += 1;
        },
        end(error, thrown) {
          if (error === undefined) {
            if (debug) logger.debug({ ...fields(context, undefined), operations: responses }, "stream calculated");
          } else {
            failed(context, lastRequest, thrown, { operations: responses });
          }
        },
      };
    },
  };
}

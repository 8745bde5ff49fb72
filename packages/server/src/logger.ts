/**
 * Logs in Cloud Logging's structured format: one JSON object per line on stdout with `severity`,
 * `message` and `time` (ISO 8601), which Cloud Run's log agent turns into LogEntry fields.
 * https://cloud.google.com/logging/docs/structured-logging
 */
import { pino, type DestinationStream, type Logger } from "pino";
import type { Metadata } from "@grpc/grpc-js";
import type { LogLevel } from "./config.js";
import { traceContextFrom } from "./telemetry/trace-context.js";

export type { Logger } from "pino";

const SEVERITY: Readonly<Record<string, string>> = {
  trace: "DEBUG",
  debug: "DEBUG",
  info: "INFO",
  warn: "WARNING",
  error: "ERROR",
  fatal: "CRITICAL",
};

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Where lines go; stdout (synchronously, so nothing is lost on exit) by default. */
  readonly destination?: DestinationStream | undefined;
  /** Fields on every line (e.g. the cluster worker's id). */
  readonly base?: Record<string, unknown> | undefined;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      messageKey: "message",
      base: options.base ?? null,
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: {
        level: (label) => ({ severity: SEVERITY[label] ?? "DEFAULT" }),
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * The Cloud Logging trace fields for a call, from its W3C `traceparent`, `grpc-trace-bin` or Google's
 * `x-cloud-trace-context` header (src/telemetry/trace-context.ts); empty when there is none or no
 * project is known.
 */
export function traceFields(metadata: Metadata, project: string | undefined): Record<string, string> {
  return traceFieldsFrom((key) => {
    const value = metadata.get(key)[0];
    return typeof value === "string" ? value : value?.toString("base64");
  }, project);
}

/** `traceFields` over any header lookup (raw HTTP/2 headers, for example). */
export function traceFieldsFrom(
  header: (key: string) => string | undefined,
  project: string | undefined,
): Record<string, string> {
  if (project === undefined) return {};
  const context = traceContextFrom(header);
  return context === undefined ? {} : traceFieldsOf(context, project);
}

/**
 * The trace fields naming one span (Cloud Logging wants the span id as 16 hex digits); only the trace
 * when the span is unknown.
 */
export function traceFieldsOf(
  span: { readonly traceId: string; readonly spanId: string | undefined },
  project: string | undefined,
): Record<string, string> {
  if (project === undefined) return {};
  const fields: Record<string, string> = {
    "logging.googleapis.com/trace": `projects/${project}/traces/${span.traceId}`,
  };
  if (span.spanId !== undefined) fields["logging.googleapis.com/spanId"] = span.spanId;
  return fields;
}

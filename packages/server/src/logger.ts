/**
 * Logs in Cloud Logging's structured format: one JSON object per line on stdout with `severity`,
 * `message` and `time` (ISO 8601), which Cloud Run's log agent turns into LogEntry fields.
 * https://cloud.google.com/logging/docs/structured-logging
 */
import { pino, type DestinationStream, type Logger } from "pino";
import type { Metadata } from "@grpc/grpc-js";
import type { LogLevel } from "./config.js";

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

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}/;
const CLOUD_TRACE_CONTEXT = /^([\da-f]{32})(?:\/(\d+))?/i;

/**
 * The Cloud Logging trace fields for a call, from its W3C `traceparent` or Google's
 * `x-cloud-trace-context` header; empty when there is neither or no project is known.
 */
export function traceFields(metadata: Metadata, project: string | undefined): Record<string, string> {
  return traceFieldsFrom((key) => {
    const value = metadata.get(key)[0];
    return typeof value === "string" ? value : undefined;
  }, project);
}

/** `traceFields` over any header lookup (raw HTTP/2 headers, for example). */
export function traceFieldsFrom(
  header: (key: string) => string | undefined,
  project: string | undefined,
): Record<string, string> {
  if (project === undefined) return {};
  const traceparent = header("traceparent");
  const w3c = traceparent === undefined ? null : TRACEPARENT.exec(traceparent);
  if (w3c?.[1] !== undefined && !/^0+$/.test(w3c[1])) {
    return {
      "logging.googleapis.com/trace": `projects/${project}/traces/${w3c[1]}`,
      "logging.googleapis.com/spanId": w3c[2] ?? "",
    };
  }
  const cloud = header("x-cloud-trace-context");
  const legacy = cloud === undefined ? null : CLOUD_TRACE_CONTEXT.exec(cloud);
  if (legacy?.[1] !== undefined) {
    const fields: Record<string, string> = {
      "logging.googleapis.com/trace": `projects/${project}/traces/${legacy[1].toLowerCase()}`,
    };
    // The legacy header's span id is decimal; Cloud Logging wants 16 hex digits.
    if (legacy[2] !== undefined)
      fields["logging.googleapis.com/spanId"] = BigInt.asUintN(64, BigInt(legacy[2])).toString(16).padStart(16, "0");
    return fields;
  }
  return {};
}

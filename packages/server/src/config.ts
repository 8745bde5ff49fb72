/**
 * The server's configuration, read from the environment and validated before anything starts.
 * Every bad value is a `ConfigError` whose message is one line naming the variable and the value.
 */
import { availableParallelism } from "node:os";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export interface ServerConfig {
  /** TCP port; 0 picks a free one. Cloud Run injects PORT. */
  readonly port: number;
  /** Address to bind; undefined means `::`, falling back to 0.0.0.0 where IPv6 is off. */
  readonly host: string | undefined;
  readonly logLevel: LogLevel;
  /** How long in-flight calls may run after SIGTERM/SIGINT before they are cancelled. */
  readonly shutdownGraceMs: number;
  /** Serve TLS directly (without a TLS proxy in front) when set. */
  readonly tls: TlsFiles | undefined;
  /** Server processes sharing the port (node:cluster); 1 serves in this process. */
  readonly workers: number;
  /** GOOGLE_CLOUD_PROJECT: when set, log lines of traced calls carry `logging.googleapis.com/trace`. */
  readonly googleCloudProject: string | undefined;
  /** CORS_ALLOWED_ORIGINS: origins whose browser pages may call the service (none by default), or "*". */
  readonly corsAllowedOrigins: ReadonlySet<string> | "*";
  /** OpenTelemetry traces and metrics (the OTEL_* variables); undefined when no signal is exported. */
  readonly telemetry: TelemetryConfig | undefined;
}

/** Where and how one signal is exported over OTLP/HTTP. */
export interface OtlpExport {
  /** The full URL, e.g. http://localhost:4318/v1/traces. */
  readonly url: string;
  readonly protocol: "http/protobuf" | "http/json";
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly compression: "gzip" | "none";
}

export const SAMPLERS = [
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
  "always_on",
  "always_off",
  "traceidratio",
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

export interface TelemetryConfig {
  readonly traces: OtlpExport | undefined;
  readonly metrics: OtlpExport | undefined;
  readonly sampler: SamplerName;
  /** OTEL_TRACES_SAMPLER_ARG for the ratio samplers (0-1). */
  readonly samplerRatio: number;
  /** OTEL_BSP_*: the batch span processor's queue and schedule. */
  readonly batch: {
    readonly scheduleDelayMs: number;
    readonly exportTimeoutMs: number;
    readonly maxQueueSize: number;
    readonly maxExportBatchSize: number;
  };
  /** OTEL_METRIC_EXPORT_INTERVAL / OTEL_METRIC_EXPORT_TIMEOUT. */
  readonly metricExportIntervalMs: number;
  readonly metricExportTimeoutMs: number;
  /** OTEL_SERVICE_NAME; undefined: K_SERVICE on Cloud Run, else "grpc-calculator". */
  readonly serviceName: string | undefined;
  /** OTEL_RESOURCE_ATTRIBUTES, decoded. */
  readonly resourceAttributes: Readonly<Record<string, string>>;
  /** Cloud Run's K_SERVICE, K_REVISION, K_CONFIGURATION, when set. */
  readonly cloudRun:
    | { readonly service: string; readonly revision: string | undefined; readonly configuration: string | undefined }
    | undefined;
}

export const DEFAULT_PORT = 50051;
export const DEFAULT_SHUTDOWN_GRACE_MS = 8000;
const MAX_SHUTDOWN_GRACE_MS = 3_600_000;
const MAX_WORKERS = 256;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

type Env = Readonly<Record<string, string | undefined>>;

function present(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`invalid ${name} ${JSON.stringify(env[name])}: expected an integer from ${min} to ${max}`);
  }
  return value;
}

function logLevel(env: Env): LogLevel {
  const raw = present(env, "LOG_LEVEL")?.toLowerCase() ?? "info";
  const level = LOG_LEVELS.find((candidate) => candidate === raw);
  if (level === undefined) {
    throw new ConfigError(
      `invalid LOG_LEVEL ${JSON.stringify(env.LOG_LEVEL)}: expected one of ${LOG_LEVELS.join(", ")}`,
    );
  }
  return level;
}

function host(env: Env): string | undefined {
  const raw = present(env, "HOST");
  if (raw === undefined) return undefined;
  const bare = raw.startsWith("[") && raw.endsWith("]") ? raw.slice(1, -1) : raw;
  if (bare === "" || /[\s/]/.test(bare)) {
    throw new ConfigError(`invalid HOST ${JSON.stringify(env.HOST)}: expected an IP address or host name`);
  }
  return bare;
}

function tls(env: Env): TlsFiles | undefined {
  const certFile = present(env, "TLS_CERT_FILE");
  const keyFile = present(env, "TLS_KEY_FILE");
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    const missing = certFile === undefined ? "TLS_CERT_FILE" : "TLS_KEY_FILE";
    throw new ConfigError(
      `invalid TLS configuration: TLS_CERT_FILE and TLS_KEY_FILE must be set together (${missing} is missing)`,
    );
  }
  return { certFile, keyFile };
}

function workers(env: Env): number {
  const raw = present(env, "WORKERS");
  if (raw?.toLowerCase() === "auto") return availableParallelism();
  return integer(env, "WORKERS", 1, 1, MAX_WORKERS);
}

const ORIGIN = /^https?:\/\/(\[[\da-f:.]+\]|[a-z\d.-]+)(:\d{1,5})?$/i;

/** `*`, or a comma-separated list of origins (`scheme://host[:port]`, as browsers send them in `Origin`). */
function corsAllowedOrigins(env: Env): ReadonlySet<string> | "*" {
  const raw = present(env, "CORS_ALLOWED_ORIGINS");
  if (raw === undefined) return new Set();
  if (raw === "*") return "*";
  const origins = raw.split(",").map((origin) => origin.trim());
  const bad = origins.find((origin) => !ORIGIN.test(origin));
  if (bad !== undefined) {
    throw new ConfigError(
      `invalid CORS_ALLOWED_ORIGINS ${JSON.stringify(env.CORS_ALLOWED_ORIGINS)}: ${JSON.stringify(bad)} is not an origin ` +
        `(expected "*" or comma-separated origins like https://app.example.com or http://localhost:5173)`,
    );
  }
  // Browsers send the scheme and host in lower case.
  return new Set(origins.map((origin) => origin.toLowerCase()));
}

// --- OpenTelemetry: the variables of https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
// and https://opentelemetry.io/docs/specs/otel/protocol/exporter/ that this server honours.

const DEFAULT_OTLP_ENDPOINT = "http://localhost:4318";

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T, hint = ""): T {
  const raw = present(env, name)?.toLowerCase() ?? fallback;
  const value = values.find((candidate) => candidate === raw);
  if (value === undefined) {
    throw new ConfigError(`invalid ${name} ${JSON.stringify(env[name])}: expected one of ${values.join(", ")}${hint}`);
  }
  return value;
}

function url(env: Env, name: string): URL | undefined {
  const raw = present(env, name);
  if (raw === undefined) return undefined;
  const parsed = URL.canParse(raw) ? new URL(raw) : undefined;
  if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    throw new ConfigError(`invalid ${name} ${JSON.stringify(env[name])}: expected an http:// or https:// URL`);
  }
  return parsed;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~\dA-Za-z-]+$/;

/** `key=value,key2=value2`, values percent-encoded (W3C Baggage's format, as the specification says). */
function keyValues(env: Env, name: string, keyPattern: RegExp): Record<string, string> {
  const raw = present(env, name);
  const result: Record<string, string> = {};
  if (raw === undefined) return result;
  for (const pair of raw.split(",")) {
    if (pair.trim() === "") continue;
    const equals = pair.indexOf("=");
    const key = pair.slice(0, Math.max(equals, 0)).trim();
    let value: string | undefined;
    try {
      value = equals < 0 ? undefined : decodeURIComponent(pair.slice(equals + 1).trim());
    } catch {
      value = undefined;
    }
    if (value === undefined || !keyPattern.test(key)) {
      throw new ConfigError(
        `invalid ${name}: ${JSON.stringify(pair.trim())} is not key=value (expected comma-separated key=value pairs, values percent-encoded)`,
      );
    }
    result[key] = value;
  }
  return result;
}

/** The per-signal variable (OTEL_EXPORTER_OTLP_TRACES_X) when set, else the general one (OTEL_EXPORTER_OTLP_X). */
function perSignal(env: Env, signal: "TRACES" | "METRICS", setting: string): string {
  const specific = `OTEL_EXPORTER_OTLP_${signal}_${setting}`;
  return present(env, specific) === undefined ? `OTEL_EXPORTER_OTLP_${setting}` : specific;
}

function otlpExport(env: Env, signal: "TRACES" | "METRICS", sdkDisabled: boolean): OtlpExport | undefined {
  const exporterVariable = `OTEL_${signal}_EXPORTER`;
  const exporter = present(env, exporterVariable)?.toLowerCase();
  if (exporter !== undefined && exporter !== "otlp" && exporter !== "none") {
    throw new ConfigError(
      `invalid ${exporterVariable} ${JSON.stringify(env[exporterVariable])}: expected otlp or none (this server exports over OTLP/HTTP only)`,
    );
  }
  const specificEndpoint = url(env, `OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`);
  const baseEndpoint = url(env, "OTEL_EXPORTER_OTLP_ENDPOINT");
  const protocol = oneOf(
    env,
    perSignal(env, signal, "PROTOCOL"),
    ["http/protobuf", "http/json"],
    "http/protobuf",
    " (grpc is not supported: this server exports over OTLP/HTTP)",
  );
  const headers = {
    ...keyValues(env, "OTEL_EXPORTER_OTLP_HEADERS", HEADER_NAME),
    ...keyValues(env, `OTEL_EXPORTER_OTLP_${signal}_HEADERS`, HEADER_NAME),
  };
  const timeoutMs = integer(env, perSignal(env, signal, "TIMEOUT"), 10_000, 1, 600_000);
  const compression = oneOf(env, perSignal(env, signal, "COMPRESSION"), ["none", "gzip"], "none");
  // Off unless asked for: an exporter named, or an endpoint given (the specification's default exporter is
  // otlp to localhost; a server that starts exporting to a collector nobody runs would only log failures).
  if (
    sdkDisabled ||
    exporter === "none" ||
    (exporter === undefined && specificEndpoint === undefined && baseEndpoint === undefined)
  ) {
    return undefined;
  }
  const base = (baseEndpoint?.href ?? `${DEFAULT_OTLP_ENDPOINT}/`).replace(/\/?$/, "/");
  const target = specificEndpoint?.href ?? `${base}v1/${signal.toLowerCase()}`;
  return { url: target, protocol, headers, timeoutMs, compression };
}

function samplerRatio(env: Env): number {
  const raw = present(env, "OTEL_TRACES_SAMPLER_ARG");
  if (raw === undefined) return 1;
  const value = /^(0|1|0?\.\d+|1\.0*)$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isNaN(value)) {
    throw new ConfigError(
      `invalid OTEL_TRACES_SAMPLER_ARG ${JSON.stringify(env.OTEL_TRACES_SAMPLER_ARG)}: expected a sampling ratio from 0 to 1 (e.g. 0.1)`,
    );
  }
  return value;
}

const RESOURCE_KEY = /^[\x21-\x7e]+$/;

function telemetry(env: Env): TelemetryConfig | undefined {
  const sdkDisabled = oneOf(env, "OTEL_SDK_DISABLED", ["false", "true"], "false") === "true";
  const traces = otlpExport(env, "TRACES", sdkDisabled);
  const metrics = otlpExport(env, "METRICS", sdkDisabled);
  const sampler = oneOf(env, "OTEL_TRACES_SAMPLER", SAMPLERS, "parentbased_always_on");
  const ratio = sampler.endsWith("traceidratio") ? samplerRatio(env) : 1;
  const maxQueueSize = integer(env, "OTEL_BSP_MAX_QUEUE_SIZE", 2048, 1, 1_000_000);
  const maxExportBatchSize = integer(env, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", Math.min(512, maxQueueSize), 1, 1_000_000);
  if (maxExportBatchSize > maxQueueSize) {
    throw new ConfigError(
      `invalid OTEL_BSP_MAX_EXPORT_BATCH_SIZE ${JSON.stringify(env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE)}: must not exceed OTEL_BSP_MAX_QUEUE_SIZE (${maxQueueSize})`,
    );
  }
  const batch = {
    scheduleDelayMs: integer(env, "OTEL_BSP_SCHEDULE_DELAY", 5000, 0, 3_600_000),
    exportTimeoutMs: integer(env, "OTEL_BSP_EXPORT_TIMEOUT", 30_000, 1, 3_600_000),
    maxQueueSize,
    maxExportBatchSize,
  };
  const metricExportIntervalMs = integer(env, "OTEL_METRIC_EXPORT_INTERVAL", 60_000, 1, 86_400_000);
  const metricExportTimeoutMs = integer(env, "OTEL_METRIC_EXPORT_TIMEOUT", 30_000, 1, 3_600_000);
  const serviceName = present(env, "OTEL_SERVICE_NAME");
  const resourceAttributes = keyValues(env, "OTEL_RESOURCE_ATTRIBUTES", RESOURCE_KEY);
  const service = present(env, "K_SERVICE");
  const cloudRun =
    service === undefined
      ? undefined
      : { service, revision: present(env, "K_REVISION"), configuration: present(env, "K_CONFIGURATION") };
  if (traces === undefined && metrics === undefined) return undefined;
  return {
    traces,
    metrics,
    sampler,
    samplerRatio: ratio,
    batch,
    metricExportIntervalMs,
    metricExportTimeoutMs,
    serviceName,
    resourceAttributes,
    cloudRun,
  };
}

/** Reads and validates the configuration; throws `ConfigError` on the first bad value. */
export function parseConfig(env: Env = process.env): ServerConfig {
  return {
    port: integer(env, "PORT", DEFAULT_PORT, 0, 65535),
    host: host(env),
    logLevel: logLevel(env),
    shutdownGraceMs: integer(env, "SHUTDOWN_GRACE_MS", DEFAULT_SHUTDOWN_GRACE_MS, 0, MAX_SHUTDOWN_GRACE_MS),
    tls: tls(env),
    workers: workers(env),
    googleCloudProject: present(env, "GOOGLE_CLOUD_PROJECT"),
    corsAllowedOrigins: corsAllowedOrigins(env),
    telemetry: telemetry(env),
  };
}

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
  };
}

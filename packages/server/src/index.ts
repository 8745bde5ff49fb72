/**
 * The grpc-calculator server as a library: start it in-process (tests, embedding), or reuse its
 * calculator core, configuration parser, health status and limits.
 *
 * The command-line entry is `dist/server.mjs` (bundled) or `dist/esm/main.js`.
 */
export { startServer, type RunningServer, type StartServerOptions, type TlsOptions } from "./server.js";
export {
  calculate,
  FLOAT32_MAX,
  type CalculationFailure,
  type CalculationFailureReason,
  type CalculationOutcome,
  type CalculationSuccess,
} from "./service/calculate.js";
export {
  ConfigError,
  DEFAULT_PORT,
  DEFAULT_SHUTDOWN_GRACE_MS,
  LOG_LEVELS,
  parseConfig,
  type LogLevel,
  type ServerConfig,
  type TlsFiles,
} from "./config.js";
export { HealthClient, HealthService, HealthStatus, ServingStatus } from "./health.js";
export { createLogger, traceFields, type Logger, type LoggerOptions } from "./logger.js";
export * as limits from "./limits.js";

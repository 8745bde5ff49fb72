/**
 * `startServer`: binds the Calculator, Health and reflection services with the production limits
 * and returns a handle whose `shutdown()` is the graceful shutdown that SIGTERM triggers.
 */
import { readFile } from "node:fs/promises";
import { startRpcServer, type RpcServerOptions } from "@grpc-calculator/rpc-server";
import { CalculatorService, fileDescriptorSet, operationToJSON, type BinaryOperation } from "@grpc-calculator/proto";
import {
  DEFAULT_PORT,
  DEFAULT_SHUTDOWN_GRACE_MS,
  type LogLevel,
  type TelemetryConfig,
  type TlsFiles,
} from "./config.js";
import { grpcFileDescriptorSet } from "./gen/descriptor-set.js";
import { HEALTH_SERVICE_NAME, HealthService, HealthStatus, ServingStatus, serviceNameOf } from "./health.js";
import { HTTP1_REQUEST_TIMEOUT_MS, serverLimits } from "./limits.js";
import { createLogger, type Logger } from "./logger.js";
import { requestLogging } from "./middleware/request-logging.js";
import { createReflection, ReflectionV1AlphaService, ReflectionV1Service } from "./reflection.js";
import { calculatorService } from "./service/calculator.js";
import { createTelemetry } from "./telemetry/telemetry.js";

/** TLS material: file paths (as TLS_CERT_FILE/TLS_KEY_FILE) or PEM contents. */
export type TlsOptions = TlsFiles | { readonly cert: Buffer | string; readonly key: Buffer | string };

export interface StartServerOptions extends Pick<
  RpcServerOptions,
  "host" | "corsAllowedOrigins" | "directPath" | "protocolRouter"
> {
  /** TCP port; 0 (any free port) is fine, `RunningServer.port` tells which. Default 50051. */
  readonly port?: number | undefined;
  /** Default "info". Ignored when `logger` is given. */
  readonly logLevel?: LogLevel | undefined;
  /** A pino logger to use instead of the Cloud Logging JSON logger on stdout. */
  readonly logger?: Logger | undefined;
  /** How long `shutdown()` lets in-flight calls run before cancelling them. Default 8000. */
  readonly shutdownGraceMs?: number | undefined;
  readonly tls?: TlsOptions | undefined;
  /** GOOGLE_CLOUD_PROJECT, for the trace field of log lines. */
  readonly googleCloudProject?: string | undefined;
  /**
   * OpenTelemetry traces and metrics (parseConfig's `telemetry`, from the OTEL_* variables). Default:
   * off, and the SDK is never loaded.
   */
  readonly telemetry?: TelemetryConfig | undefined;
  /** How long an HTTP/1.1 request may take to arrive, headers and body. Default HTTP1_REQUEST_TIMEOUT_MS (limits.ts). */
  readonly http1RequestTimeoutMs?: number | undefined;
}

export interface RunningServer {
  /** The port actually bound. */
  readonly port: number;
  /** Whether the protocol router engaged (see src/private/protocol-router.ts); false is logged as an error. */
  readonly protocolRouterEngaged: boolean;
  /** The address bound (after the IPv6 → IPv4 fallback). */
  readonly host: string;
  /** The health statuses this server reports (e.g. to mark it NOT_SERVING). */
  readonly health: HealthStatus;
  /**
   * Graceful shutdown, as on SIGTERM: health NOT_SERVING, no new calls or connections, in-flight
   * calls finish; after the grace period the rest are cancelled. Resolves when the server is closed.
   * Idempotent.
   */
  shutdown(): Promise<void>;
  /** Cancels every call and closes every connection now. */
  forceShutdown(): void;
}

const CALCULATOR_SERVICE_NAME = serviceNameOf(CalculatorService);
/** When the telemetry SDK loads if no health check came first. */
const TELEMETRY_LOAD_FALLBACK_MS = 1000;
/** The least time the telemetry export gets at shutdown when the calls used up the grace period. */
const TELEMETRY_MIN_FLUSH_MS = 1000;

function bindAddress(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** Reads the TLS files one after the other: when both are unreadable, the error always names the certificate. */
async function tlsMaterial(tls: TlsOptions | undefined): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  if (tls === undefined) return undefined;
  if ("certFile" in tls) return { cert: await readFile(tls.certFile), key: await readFile(tls.keyFile) };
  return { cert: Buffer.from(tls.cert), key: Buffer.from(tls.key) };
}

/** A request as log lines show it: operands and the operation's name. */
function describeRequest(request: BinaryOperation): Record<string, unknown> {
  return {
    firstOperand: request.firstOperand,
    secondOperand: request.secondOperand,
    operation: operationToJSON(request.operation),
  };
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger({ level: options.logLevel ?? "info" });
  const shutdownGraceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  const health = new HealthStatus(["", CALCULATOR_SERVICE_NAME], ServingStatus.NOT_SERVING);
  const reflectedServices = [
    CALCULATOR_SERVICE_NAME,
    HEALTH_SERVICE_NAME,
    serviceNameOf(ReflectionV1Service),
    serviceNameOf(ReflectionV1AlphaService),
  ];
  const reflection = createReflection(reflectedServices, [fileDescriptorSet, grpcFileDescriptorSet]);
  const tls = await tlsMaterial(options.tls);

  const telemetry =
    options.telemetry === undefined
      ? undefined
      : createTelemetry(options.telemetry, logger, options.googleCloudProject);

  const healthHandlers = health.handlers();
  if (telemetry !== undefined) {
    // The SDK loads once the server has answered its first health check (Cloud Run's startup probe),
    // so readiness does not wait for it; or a second after start when nothing probes.
    let scheduled = false;
    const load = () => {
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => void telemetry.load());
    };
    const check = healthHandlers.check;
    healthHandlers.check = (call, callback) => {
      check(call, callback);
      load();
    };
    setTimeout(load, TELEMETRY_LOAD_FALLBACK_MS).unref();
  }

  // Every Calculator call, whatever carries it, runs through the engine's pipeline. Telemetry is
  // outermost: it names the call's span before the log lines are written. Health and reflection are
  // grpc-js's own services on the same port.
  const engine = await startRpcServer({
    services: [calculatorService],
    grpcJsServices: [
      { definition: HealthService, implementation: healthHandlers },
      { definition: ReflectionV1Service, implementation: reflection },
      { definition: ReflectionV1AlphaService, implementation: reflection },
    ],
    middleware: [
      ...(telemetry === undefined ? [] : [telemetry.middleware]),
      requestLogging({ logger, googleCloudProject: options.googleCloudProject, describeRequest }),
    ],
    host: options.host,
    port: options.port ?? DEFAULT_PORT,
    tls,
    limits: { ...serverLimits, http1RequestTimeoutMs: options.http1RequestTimeoutMs ?? HTTP1_REQUEST_TIMEOUT_MS },
    corsAllowedOrigins: options.corsAllowedOrigins,
    directPath: options.directPath,
    protocolRouter: options.protocolRouter,
    logger,
  });

  health.setAll(ServingStatus.SERVING);
  const { host, port } = engine;
  logger.info(
    {
      address: host,
      port,
      tls: tls !== undefined,
      services: reflectedServices,
      protocolRouter: engine.protocolRouterEngaged,
      ...(options.telemetry === undefined
        ? {}
        : { telemetry: { traces: options.telemetry.traces?.url, metrics: options.telemetry.metrics?.url } }),
    },
    `listening on ${bindAddress(host, port)}`,
  );

  let closing: Promise<void> | undefined;
  let graceEnds = 0;
  const shutdown = () =>
    (closing ??= (async () => {
      logger.info({ graceMs: shutdownGraceMs }, "shutting down: NOT_SERVING, draining in-flight calls");
      graceEnds = performance.now() + shutdownGraceMs;
      health.setAll(ServingStatus.NOT_SERVING);
      health.endWatches();
      if (await engine.shutdown(shutdownGraceMs)) logger.info("server closed");
      // What telemetry still buffers (the last calls' spans, the metrics since the last export) is
      // exported in what is left of the grace period.
      await telemetry?.shutdown(Math.max(graceEnds - performance.now(), TELEMETRY_MIN_FLUSH_MS));
    })());

  return {
    port,
    host,
    protocolRouterEngaged: engine.protocolRouterEngaged,
    health,
    shutdown,
    forceShutdown: () => {
      health.setAll(ServingStatus.NOT_SERVING);
      engine.forceShutdown();
    },
  };
}

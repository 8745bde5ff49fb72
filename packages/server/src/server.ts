/**
 * `startServer`: binds the Calculator, Health and reflection services with the production limits
 * and returns a handle whose `shutdown()` is the graceful shutdown that SIGTERM triggers.
 */
import { readFile } from "node:fs/promises";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { CalculatorService, fileDescriptorSet } from "@grpc-calculator/proto";
import { calculatorHandlers } from "./calculator-service.js";
import { DEFAULT_PORT, DEFAULT_SHUTDOWN_GRACE_MS, type LogLevel, type TlsFiles } from "./config.js";
import { grpcFileDescriptorSet } from "./gen/descriptor-set.js";
import { HEALTH_SERVICE_NAME, HealthService, HealthStatus, ServingStatus, serviceNameOf } from "./health.js";
import { serverChannelOptions, MAX_PING_STRIKES, MIN_PING_INTERVAL_MS } from "./limits.js";
import { calculatorFastPath } from "./fast-path.js";
import { createLogger, type Logger } from "./logger.js";
import { interceptStreams } from "./private/grpc-js-internals.js";
import { installPingPolicy } from "./private/ping-policy.js";
import { createReflection, ReflectionV1AlphaService, ReflectionV1Service } from "./reflection.js";

/** TLS material: file paths (as TLS_CERT_FILE/TLS_KEY_FILE) or PEM contents. */
export type TlsOptions = TlsFiles | { readonly cert: Buffer | string; readonly key: Buffer | string };

export interface StartServerOptions {
  /** TCP port; 0 (any free port) is fine, `RunningServer.port` tells which. Default 50051. */
  readonly port?: number | undefined;
  /** Address to bind. Default `::` (all interfaces), falling back to 0.0.0.0 where IPv6 is off. */
  readonly host?: string | undefined;
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
   * Serve plain Calculate and CalculateStream calls on the HTTP/2 fast path (src/fast-path.ts)
   * instead of through grpc-js. Default true; false is for comparing the two.
   */
  readonly fastPath?: boolean | undefined;
}

export interface RunningServer {
  /** The port actually bound. */
  readonly port: number;
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

function bindAddress(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

function bind(server: Server, address: string, credentials: ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (error, port) => (error === null ? resolve(port) : reject(error)));
  });
}

async function credentialsFor(tls: TlsOptions | undefined): Promise<ServerCredentials> {
  if (tls === undefined) return ServerCredentials.createInsecure();
  // Read one after the other: when both files are unreadable, the error always names the certificate.
  const [cert, key] =
    "certFile" in tls
      ? [await readFile(tls.certFile), await readFile(tls.keyFile)]
      : [Buffer.from(tls.cert), Buffer.from(tls.key)];
  return ServerCredentials.createSsl(null, [{ cert_chain: cert, private_key: key }], false);
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

  const server = new Server(serverChannelOptions);
  server.addService(CalculatorService, calculatorHandlers({ logger, googleCloudProject: options.googleCloudProject }));
  server.addService(HealthService, health.handlers());
  server.addService(ReflectionV1Service, reflection);
  server.addService(ReflectionV1AlphaService, reflection);

  const credentials = await credentialsFor(options.tls);
  const requestedPort = options.port ?? DEFAULT_PORT;
  let host = options.host ?? "::";
  let port: number;
  try {
    port = await bind(server, bindAddress(host, requestedPort), credentials);
  } catch (error) {
    // `::` fails where the kernel has IPv6 off; the default then means every IPv4 interface.
    // Other failures (port in use, no permission) are reported as they are.
    if (options.host !== undefined || !/EAFNOSUPPORT|EADDRNOTAVAIL/.test(String(error))) throw error;
    host = "0.0.0.0";
    port = await bind(server, bindAddress(host, requestedPort), credentials);
  }

  const pingPolicyInstalled = installPingPolicy(server, {
    minIntervalMs: MIN_PING_INTERVAL_MS,
    maxStrikes: MAX_PING_STRIKES,
    onAbuse: (session) =>
      logger.warn(
        { remoteAddress: session.socket?.remoteAddress },
        "closing a connection that pings too often (GOAWAY ENHANCE_YOUR_CALM)",
      ),
  });
  if (!pingPolicyInstalled) logger.warn("HTTP/2 ping abuse protection is off: grpc-js internals changed");
  const fastPath = options.fastPath ?? true;
  if (
    fastPath &&
    !interceptStreams(server, calculatorFastPath({ logger, googleCloudProject: options.googleCloudProject }))
  ) {
    logger.warn(
      "the Calculator's HTTP/2 fast path is off (grpc-js internals changed): every call goes through grpc-js",
    );
  }

  health.setAll(ServingStatus.SERVING);
  logger.info(
    { address: host, port, tls: options.tls !== undefined, services: reflectedServices },
    `listening on ${bindAddress(host, port)}`,
  );

  let closing: Promise<void> | undefined;
  const shutdown = () =>
    (closing ??= new Promise<void>((resolve) => {
      logger.info({ graceMs: shutdownGraceMs }, "shutting down: NOT_SERVING, draining in-flight calls");
      health.setAll(ServingStatus.NOT_SERVING);
      health.endWatches();
      const timer = setTimeout(() => {
        logger.warn({ graceMs: shutdownGraceMs }, "grace period over: cancelling the calls still running");
        server.forceShutdown();
        resolve();
      }, shutdownGraceMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        logger.info("server closed");
        resolve();
      });
    }));

  return {
    port,
    host,
    health,
    shutdown,
    forceShutdown: () => {
      health.setAll(ServingStatus.NOT_SERVING);
      server.forceShutdown();
    },
  };
}

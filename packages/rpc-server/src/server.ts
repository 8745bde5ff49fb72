/**
 * `startRpcServer`: serves the given services on one port — gRPC (h2c, or TLS h2), Connect and
 * gRPC-Web over HTTP/2 and HTTP/1.1 — every call through one pipeline of middleware, and returns a
 * handle whose `shutdown()` drains it gracefully. Services grpc-js serves itself (health,
 * reflection: `grpcJsServices`) share the port over gRPC.
 */
import {
  Server,
  type ServiceDefinition as GrpcJsServiceDefinition,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import {
  DEFAULT_LIMITS,
  MAX_PING_STRIKES,
  MIN_PING_INTERVAL_MS,
  serverChannelOptions,
  type ServerLimits,
} from "./limits.js";
import type { Middleware } from "./pipeline/middleware.js";
import { createPipelines, type ServerClosing } from "./pipeline/pipeline.js";
import { installPingPolicy } from "./private/ping-policy.js";
import { createProtocolRouter } from "./private/protocol-router.js";
import { directGrpcHandler } from "./protocol-grpc/handler.js";
import { grpcJsDefinition, grpcJsHandlers } from "./protocol-grpc-js/handlers.js";
import type { ServiceRegistration } from "./service.js";
import { createHttp1Server } from "./transport/http1-server.js";
import { listen } from "./transport/listener.js";
import { lazyWebProtocols } from "./transport/web-loader.js";
import type { AllowedOrigins } from "./web/cors.js";

/** Where the engine reports what concerns the server rather than one call (pino's signature). */
export interface EngineLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** A service grpc-js serves itself, over gRPC only (e.g. health checking, reflection). */
export interface GrpcJsService {
  readonly definition: GrpcJsServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

export interface RpcServerOptions {
  readonly services: readonly ServiceRegistration[];
  readonly grpcJsServices?: readonly GrpcJsService[] | undefined;
  /** Around every call of `services`, the first outermost. */
  readonly middleware?: readonly Middleware[] | undefined;
  /** TCP port; 0 (any free port) is fine, `RpcServer.port` tells which. Default 50051. */
  readonly port?: number | undefined;
  /** Address to bind. Default `::` (all interfaces), falling back to 0.0.0.0 where IPv6 is off. */
  readonly host?: string | undefined;
  /** Serve TLS directly (both HTTP versions, ALPN). Unset on Cloud Run, whose front end terminates TLS. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer } | undefined;
  readonly limits?: Partial<ServerLimits> | undefined;
  /** Origins whose browser pages may call the service (CORS), or "*". Default: none. */
  readonly corsAllowedOrigins?: AllowedOrigins | undefined;
  /**
   * Serve plain calls on the engine's direct paths (src/protocol-grpc, src/protocol-connect,
   * src/protocol-grpc-web). Default true; false leaves every call to the libraries (grpc-js,
   * connect-es), for comparing the two.
   */
  readonly directPath?: boolean | undefined;
  /**
   * Default true. False starts the server as if grpc-js's internals had changed under the protocol
   * router (src/private/protocol-router.ts), to test what it then answers.
   */
  readonly protocolRouter?: boolean | undefined;
  readonly logger?: EngineLogger | undefined;
}

export interface RpcServer {
  /** The port actually bound. */
  readonly port: number;
  /** The address bound (after the IPv6 → IPv4 fallback). */
  readonly host: string;
  /** Whether the protocol router engaged (see src/private/protocol-router.ts). */
  readonly protocolRouterEngaged: boolean;
  /**
   * Graceful shutdown: no new calls or connections, in-flight calls finish; after `graceMs` the rest
   * are cancelled. Resolves when the server is closed: true when every call finished within the
   * grace period. Idempotent.
   */
  shutdown(graceMs: number): Promise<boolean>;
  /** Cancels every call and closes every connection now. */
  forceShutdown(): void;
}

const silent: EngineLogger = { info() {}, warn() {}, error() {} };

export async function startRpcServer(options: RpcServerOptions): Promise<RpcServer> {
  const logger = options.logger ?? silent;
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const directPath = options.directPath ?? true;
  const serverClosing: ServerClosing = { forced: false };
  const pipelines = createPipelines(options.services, options.middleware ?? [], serverClosing);

  const server = new Server(serverChannelOptions(limits));
  for (const service of options.services) {
    server.addService(grpcJsDefinition(service), grpcJsHandlers(service, pipelines));
  }
  for (const { definition, implementation } of options.grpcJsServices ?? []) {
    server.addService(definition, implementation);
  }

  const web = lazyWebProtocols({
    services: options.services,
    pipelines,
    limits,
    allowedOrigins: options.corsAllowedOrigins ?? new Set(),
    directPath,
    onError: (error) => logger.error({ err: error }, "a web request failed inside the server"),
  });
  const directGrpc = directGrpcHandler(pipelines, limits.maxReceiveMessageBytes);
  const router = createProtocolRouter(
    server,
    { grpc: directPath ? directGrpc : () => false, web: web.serveHttp2 },
    options.protocolRouter ?? true,
  );
  const http1 = createHttp1Server(web.serveHttp1, limits.http1RequestTimeoutMs);
  const listener = await listen(
    { host: options.host, port: options.port ?? 50051, tls: options.tls },
    { http2: router.injectConnection, http1: http1.accept },
  );

  const pingPolicyInstalled = installPingPolicy(router, {
    minIntervalMs: MIN_PING_INTERVAL_MS,
    maxStrikes: MAX_PING_STRIKES,
    onAbuse: (session) =>
      logger.warn(
        { remoteAddress: session.socket?.remoteAddress },
        "closing a connection that pings too often (GOAWAY ENHANCE_YOUR_CALM)",
      ),
  });
  if (!router.engaged) {
    logger.error(
      { pingPolicy: pingPolicyInstalled },
      "the protocol router could not engage (grpc-js internals changed): gRPC calls go through grpc-js, " +
        "gRPC-Web and Connect are served over HTTP/1.1 only, HTTP/2 ping abuse protection is off",
    );
  }

  let closing: Promise<boolean> | undefined;
  const forceShutdown = (): void => {
    // The calls this cancels end with UNAVAILABLE "the server is shutting down", their signal aborted so.
    serverClosing.forced = true;
    void listener.close();
    server.forceShutdown();
    listener.destroy();
  };
  return {
    port: listener.port,
    host: listener.host,
    protocolRouterEngaged: router.engaged,
    shutdown: (graceMs) =>
      (closing ??= new Promise<boolean>((resolve) => {
        const connectionsClosed = listener.close();
        const timer = setTimeout(() => {
          logger.warn({ graceMs }, "grace period over: cancelling the calls still running");
          forceShutdown();
          resolve(false);
        }, graceMs);
        // grpc-js sends GOAWAY and lets the calls on its connections finish; node:http lets its requests finish.
        const grpcClosed = new Promise<void>((closed) => server.tryShutdown(() => closed()));
        http1.drain();
        void Promise.all([grpcClosed, connectionsClosed]).then(() => {
          clearTimeout(timer);
          resolve(true);
        });
      })),
    forceShutdown,
  };
}

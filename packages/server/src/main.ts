/**
 * The server's command-line entry (`node dist/server.mjs`): configuration from the environment,
 * one process or a node:cluster of WORKERS, graceful shutdown on SIGTERM and SIGINT, exit 0.
 */
import type { Worker } from "node:cluster";
import { format } from "node:util";
import { setLogger } from "@grpc/grpc-js";
import { ConfigError, parseConfig, type ServerConfig } from "./config.js";
import { createLogger } from "./logger.js";
import { startServer } from "./server.js";
import type { WorkerReadyMessage } from "./workers.js";

function fail(message: string): never {
  process.stderr.write(`grpc-calculator-server: ${message}\n`);
  process.exit(1);
}

async function serve(config: ServerConfig, worker: Worker | undefined): Promise<void> {
  const logger = createLogger({
    level: config.logLevel,
    base: worker === undefined ? undefined : { worker: worker.id },
  });
  // grpc-js writes its own errors to stderr; make them log lines like every other.
  setLogger({ error: (...args: unknown[]) => logger.warn({ source: "grpc-js" }, format(...args)) });
  const server = await startServer({
    port: config.port,
    host: config.host,
    logger,
    shutdownGraceMs: config.shutdownGraceMs,
    tls: config.tls,
    googleCloudProject: config.googleCloudProject,
    corsAllowedOrigins: config.corsAllowedOrigins,
    telemetry: config.telemetry,
  }).catch((error: unknown) => fail(`cannot start: ${error instanceof Error ? error.message : String(error)}`));
  if (worker !== undefined) {
    const ready: WorkerReadyMessage = { type: "grpc-calculator:listening", host: server.host, port: server.port };
    process.send?.(ready);
  }
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals | "disconnect") => {
    signals += 1;
    if (signals > 1) {
      // A worker gets Ctrl-C's SIGINT and the primary's SIGTERM for one shutdown: keep draining
      // (the primary enforces the grace period). A single process stops at once on a second signal.
      if (worker !== undefined) return;
      logger.warn({ signal }, "second signal: cancelling every call now");
      server.forceShutdown();
      process.exit(0);
    }
    logger.info({ signal }, "signal received");
    void server.shutdown().then(() => process.exit(0));
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  // A worker whose primary is gone drains and exits instead of serving on as an orphan.
  if (worker !== undefined) process.on("disconnect", () => onSignal("disconnect"));
}

let config: ServerConfig;
try {
  config = parseConfig(process.env);
} catch (error) {
  fail(error instanceof ConfigError ? error.message : String(error));
}

// node:cluster only with WORKERS > 1 (then in the primary and in each worker it forks): loading it costs
// a single process ~5 ms of its start (child_process and its streams), for nothing.
const cluster = config.workers > 1 ? (await import("node:cluster")).default : undefined;
if (cluster?.isPrimary) {
  const { runPrimary } = await import("./workers.js");
  const logger = createLogger({ level: config.logLevel, base: { role: "primary" } });
  process.exitCode = await runPrimary(config, logger);
} else {
  await serve(config, cluster?.worker);
}

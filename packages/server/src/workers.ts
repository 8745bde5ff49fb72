/**
 * WORKERS > 1: a node:cluster primary that runs that many server processes sharing one port (the
 * primary accepts connections and hands them to workers round-robin), forwards SIGTERM/SIGINT to
 * all of them so each drains like a single server, and exits 0 once all have exited cleanly.
 *
 * gRPC connections are long-lived: load spreads across workers per connection, not per call, so a
 * few busy connections may land on one worker. `grpc.max_connection_age_ms` (src/limits.ts) makes
 * clients reconnect now and then, which rebalances them.
 */
import cluster, { type Worker } from "node:cluster";
import type { ServerConfig } from "./config.js";
import type { Logger } from "./logger.js";

/** What a worker tells the primary once it serves. */
export interface WorkerReadyMessage {
  readonly type: "grpc-calculator:listening";
  readonly host: string;
  readonly port: number;
}

export function isWorkerReadyMessage(message: unknown): message is WorkerReadyMessage {
  return (
    typeof message === "object" &&
    message !== null &&
    (message as { type?: unknown }).type === "grpc-calculator:listening"
  );
}

/** Runs the cluster primary; resolves with the process exit code once every worker has exited. */
export function runPrimary(config: ServerConfig, logger: Logger): Promise<number> {
  return new Promise((resolveExit) => {
    const ready = new Set<Worker>();
    let shuttingDown = false;
    let failed = false;
    let killTimer: NodeJS.Timeout | undefined;

    const fork = () => {
      const worker = cluster.fork();
      worker.on("message", (message: unknown) => {
        if (!isWorkerReadyMessage(message)) return;
        ready.add(worker);
        if (ready.size === config.workers) {
          logger.info(
            { address: message.host, port: message.port, workers: config.workers },
            `${config.workers} workers listening on port ${message.port}`,
          );
        }
      });
      return worker;
    };

    const shutdown = (signal: string) => {
      if (shuttingDown) {
        // A second signal: stop waiting for the drain.
        for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGKILL");
        return;
      }
      shuttingDown = true;
      logger.info({ signal }, "shutting down: draining every worker");
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
      // Workers cancel their own calls after the grace period; this only guards against a stuck one.
      killTimer = setTimeout(() => {
        failed = true;
        logger.error("workers did not exit after the grace period: killing them");
        for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGKILL");
      }, config.shutdownGraceMs + 5000);
    };
    process.on("SIGTERM", () => shutdown("SIGTERM"));
    process.on("SIGINT", () => shutdown("SIGINT"));

    cluster.on("exit", (worker, code, signal) => {
      const wasReady = ready.delete(worker);
      if (shuttingDown) {
        if (code !== 0) failed = true;
      } else if (wasReady) {
        // A worker that served died: replace it so the instance keeps its capacity.
        logger.error({ worker: worker.id, code, signal }, "worker exited unexpectedly: starting a new one");
        fork();
      } else {
        // A worker that never served (e.g. the port is taken) will not do better on retry.
        logger.error({ worker: worker.id, code, signal }, "worker failed to start: stopping");
        failed = true;
        shutdown("worker failure");
      }
      if (Object.keys(cluster.workers ?? {}).length === 0 && shuttingDown) {
        clearTimeout(killTimer);
        logger.info("all workers exited");
        resolveExit(failed ? 1 : 0);
      }
    });

    for (let i = 0; i < config.workers; i += 1) fork();
  });
}

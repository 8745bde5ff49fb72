/**
 * OpenTelemetry for the server, when the configuration turns it on (config.ts: OTEL_*): the
 * middleware (call-telemetry.ts) from the start, the SDK (sdk.ts) loaded after the server is ready,
 * so start time does not pay for it (the SDK costs ~100 ms of loading). Calls that end before it has
 * loaded wait in a bounded queue and are recorded when it has: the first calls of a cold start, the
 * ones worth seeing most, are not lost. When telemetry is off, none of this is created and the SDK's
 * code is never loaded (the bundle keeps it in a separate chunk: scripts/bundle.mjs).
 */
import type { TelemetryConfig } from "../config.js";
import type { Logger } from "../logger.js";
import type { Middleware } from "@grpc-calculator/rpc-server";
import { callTelemetry, type ActiveCalls, type FinishedCall } from "./call-telemetry.js";
import type { TelemetrySdk } from "./sdk.js";

export interface Telemetry {
  /** The outermost middleware of the pipeline. */
  readonly middleware: Middleware;
  /** Loads the SDK and records the calls that ended meanwhile. Once; never rejects (failures are logged). */
  load(): Promise<void>;
  /** Exports what is buffered, waiting at most `timeoutMs`, and stops exporting. Never rejects. */
  shutdown(timeoutMs: number): Promise<void>;
}

export function createTelemetry(
  config: TelemetryConfig,
  logger: Logger,
  googleCloudProject: string | undefined,
): Telemetry {
  const active: ActiveCalls = { grpc: 0, "grpc-web": 0, connect: 0, rest: 0 };
  let sdk: TelemetrySdk | undefined;
  let pending: FinishedCall[] | undefined = [];
  let dropped = 0;
  const record = (call: FinishedCall): void => {
    if (sdk !== undefined) sdk.record(call);
    else if (pending !== undefined && pending.length < config.batch.maxQueueSize) pending.push(call);
    else dropped += 1;
  };

  let loading: Promise<void> | undefined;
  let stopped = false;
  const load = () =>
    (loading ??= import("./sdk.js")
      .then((module) => module.startSdk(config, logger, active, googleCloudProject))
      .then(
        (started) => {
          if (stopped) return void started.shutdown(0);
          sdk = started;
          for (const call of pending ?? []) started.record(call);
          if (dropped > 0) logger.warn({ dropped }, "telemetry: calls ended before the SDK loaded were not recorded");
        },
        (error: unknown) =>
          logger.error(
            { err: error },
            "telemetry: the OpenTelemetry SDK could not start; calls are served without traces and metrics",
          ),
      )
      .finally(() => {
        pending = undefined;
      }));

  return {
    middleware: callTelemetry({ tracing: config.traces !== undefined, active, record }),
    load,
    async shutdown(timeoutMs) {
      stopped = true;
      await sdk?.shutdown(timeoutMs);
    },
  };
}

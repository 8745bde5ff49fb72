import { CalculatorService } from "@grpc-calculator/proto";
import type { ChannelOptions } from "@grpc/grpc-js";

// "/Calculator/Calculate" → service "Calculator", method "Calculate": the generated path is the only source.
const [, serviceName, calculateMethod] = CalculatorService.calculate.path.split("/");

/**
 * gRPC service config: `Calculate` is idempotent, so a call that fails with UNAVAILABLE (the server
 * restarting, Cloud Run scaling or draining an instance, a connection that could not be made) is
 * retried with exponential backoff: up to 5 attempts (grpc-js's maximum), waiting about 0.15 s, 0.3 s,
 * 0.6 s, 1.2 s between them (± 20 % jitter), so about 2.25 s in all: long enough to ride out a server
 * restart, since grpc-js only reconnects after its reconnect backoff (1 s ± 20 % after a refused
 * connection), short enough that a server that is really down is reported within a few seconds.
 * Every attempt stays inside the call's own deadline.
 * `CalculateStream` is not retried: a stream has usually delivered results before it fails.
 */
export const serviceConfig = {
  methodConfig: [
    {
      name: [{ service: serviceName, method: calculateMethod }],
      retryPolicy: {
        maxAttempts: 5,
        initialBackoff: "0.15s",
        maxBackoff: "2s",
        backoffMultiplier: 2,
        retryableStatusCodes: ["UNAVAILABLE"],
      },
    },
  ],
};

/**
 * Channel options every client gets.
 *
 * Keepalive, chosen for Cloud Run's Google front end (GFE), which terminates HTTP/2 in front of the
 * service, and for proxies like it, which answer pings they find too frequent with GOAWAY
 * `too_many_pings`:
 * - `keepalive_time_ms` 60 s: while calls are active (a long `calculateMany` stream), ping after a
 *   minute without traffic, so a dead connection is noticed and idle-cutting NATs and middleboxes see
 *   traffic. Well above the 10 s floor of gRPC's keepalive design (A8); if a front end still objects,
 *   grpc-js doubles the interval for that connection on `too_many_pings` (A8), so it backs off itself.
 * - `keepalive_timeout_ms` 20 s: no ping answer in 20 s means the connection is dead; its calls fail
 *   UNAVAILABLE (and `Calculate` is retried on a new connection).
 * - `keepalive_permit_without_calls` 0: never ping an idle connection (what servers and the GFE count
 *   as abuse); an idle connection the front end closes is simply made again on the next call.
 * Not verified against Cloud Run itself from here (no internet); the e2e suite runs the client through
 * nginx as the TLS front end.
 */
export const defaultChannelOptions: ChannelOptions = {
  "grpc.enable_retries": 1,
  "grpc.service_config": JSON.stringify(serviceConfig),
  // The config above is the client's own: don't let DNS TXT records replace it.
  "grpc.service_config_disable_resolution": 1,
  "grpc.keepalive_time_ms": 60_000,
  "grpc.keepalive_timeout_ms": 20_000,
  "grpc.keepalive_permit_without_calls": 0,
};

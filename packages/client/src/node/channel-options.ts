import { CalculatorService } from "@grpc-calculator/proto";
import type { ChannelOptions } from "@grpc/grpc-js";
import { callKind } from "../core/method.js";
import { isRetried, retryPolicy } from "../core/retry.js";

/** "/Calculator/Calculate" → `{ service: "Calculator", method: "Calculate" }`: the generated path is the only source. */
function methodName(path: string): { service: string; method: string } {
  const [, service = "", method = ""] = path.split("/");
  return { service, method };
}

/**
 * gRPC service config: the client's retry rule (core/retry.ts, where it is explained) for every method of
 * the service it covers by its kind (the unary ones; streams are not retried), read from the generated
 * service definition, so a new method is covered without an edit here. Written in grpc-js's terms, so
 * grpc-js runs it with its own transparent retries and commit rules.
 */
export const serviceConfig = {
  methodConfig: [
    {
      name: Object.values(CalculatorService)
        .filter((method) => isRetried(callKind(method)))
        .map((method) => methodName(method.path)),
      retryPolicy: {
        maxAttempts: retryPolicy.maxAttempts,
        initialBackoff: `${retryPolicy.initialBackoffMs / 1000}s`,
        maxBackoff: `${retryPolicy.maxBackoffMs / 1000}s`,
        backoffMultiplier: retryPolicy.backoffMultiplier,
        retryableStatusCodes: [...retryPolicy.retryableStatus],
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
 *   UNAVAILABLE (and unary calls are retried on a new connection).
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

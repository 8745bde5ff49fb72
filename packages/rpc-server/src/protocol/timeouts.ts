/** Call timeouts as the protocols send them, bounded by what a Node timer can hold. */

/**
 * Node fires a timer set past 2^31 - 1 ms (~24.8 days) after 1 ms instead. The direct paths treat a
 * longer gRPC timeout as no deadline, as grpc-js does; the web paths leave one to connect-es, which
 * refuses it (its `maxTimeoutMs`).
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A `grpc-timeout` value: 1-8 digits and a unit (hours, minutes, seconds, milli-, micro-, nanoseconds). */
export const GRPC_TIMEOUT = /^(\d{1,8})([HMSmun])$/;
const UNIT_MS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };

/**
 * gRPC's `grpc-timeout` (grpc/grpc doc/PROTOCOL-HTTP2.md: 1-8 digits and a unit) in milliseconds:
 * Infinity when absent or past MAX_TIMER_MS, undefined when malformed.
 */
export function parseGrpcTimeoutMs(value: string | string[] | undefined): number | undefined {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  const match = typeof value === "string" ? GRPC_TIMEOUT.exec(value) : null;
  if (match === null) return undefined;
  const ms = Math.ceil(Number(match[1]) * (UNIT_MS[match[2] ?? "S"] ?? 1000));
  return ms > MAX_TIMER_MS ? Number.POSITIVE_INFINITY : ms;
}

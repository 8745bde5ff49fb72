/**
 * The server's limits, with why each has its value: the calculator's message sizes (the request's
 * is the contract's, from @grpc-calculator/proto), and the engine's transport limits (connections,
 * keepalive, ping policy, HTTP/1.1 timeouts), which @grpc-calculator/rpc-server defines and this
 * module re-exports so one place lists them all.
 * The package README's "Limits" table restates these; keep both in step.
 *
 * Cloud Run's front end (Google Front End) terminates TLS and forwards each client's calls to the
 * container over HTTP/2 cleartext, multiplexing many calls on few connections, and cuts a request
 * at the service's request timeout (5 min by default, 60 min at most).
 */
import { MAX_REQUEST_MESSAGE_BYTES } from "@grpc-calculator/proto";
import { limits } from "@grpc-calculator/rpc-server";

/**
 * Largest request message accepted: the contract's documented limit, 4 KiB (@grpc-calculator/proto
 * defines it, with why; its OpenAPI document states it too).
 */
export const MAX_RECEIVE_MESSAGE_BYTES = MAX_REQUEST_MESSAGE_BYTES;

/** Largest response message: a `CalculationResult` is 5 bytes; reflection answers are ~20 KiB. */
export const MAX_SEND_MESSAGE_BYTES = 256 * 1024;

export const {
  MAX_CONCURRENT_STREAMS,
  KEEPALIVE_TIME_MS,
  KEEPALIVE_TIMEOUT_MS,
  MAX_CONNECTION_AGE_MS,
  MAX_CONNECTION_AGE_GRACE_MS,
  MAX_CONNECTION_IDLE_MS,
  MIN_PING_INTERVAL_MS,
  MAX_PING_STRIKES,
  HTTP1_HEADERS_TIMEOUT_MS,
  HTTP1_REQUEST_TIMEOUT_MS,
  HTTP1_KEEP_ALIVE_TIMEOUT_MS,
} = limits;

/** The limits the engine applies to this server. */
export const serverLimits: limits.ServerLimits = {
  maxReceiveMessageBytes: MAX_RECEIVE_MESSAGE_BYTES,
  maxSendMessageBytes: MAX_SEND_MESSAGE_BYTES,
  http1RequestTimeoutMs: HTTP1_REQUEST_TIMEOUT_MS,
};

/** The grpc-js server options of this server (for tests and the benchmark's comparisons). */
export const serverChannelOptions = limits.serverChannelOptions(serverLimits);

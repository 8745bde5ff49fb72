/**
 * Every transport limit of the engine, in one place, with why it has that value. The message
 * sizes are defaults a service sets for itself (`RpcServerOptions.limits`).
 *
 * Cloud Run's front end (Google Front End) terminates TLS and forwards each client's calls to the
 * container over HTTP/2 cleartext, multiplexing many calls on few connections, and cuts a request
 * at the service's request timeout (5 min by default, 60 min at most).
 */
import type { ChannelOptions } from "@grpc/grpc-js";

/**
 * Largest request message, by default: gRPC's own default (4 MiB). A service whose messages are
 * small should lower it (`RpcServerOptions.limits`): a claimed-gigabyte message is refused with
 * RESOURCE_EXHAUSTED from its length prefix, before any of it is buffered, whatever the limit.
 */
export const DEFAULT_MAX_RECEIVE_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Largest response message, by default: 4 MiB. */
export const DEFAULT_MAX_SEND_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * Concurrent calls per HTTP/2 connection: 256. Cloud Run's default per-instance concurrency is 80
 * (max 1000) and its front end spreads them over a few connections; 256 lets one connection carry
 * a whole instance's default load while bounding what a single client can hold open. The value is
 * advertised in SETTINGS_MAX_CONCURRENT_STREAMS, which well-behaved clients (grpc-js, gRPC core, Go,
 * Cloud Run's front end) respect by queueing; a peer that opens more anyway breaks the protocol and
 * Node's HTTP/2 answers with GOAWAY (PROTOCOL/INTERNAL error) for that connection, not a per-stream
 * REFUSED_STREAM (apps/reliability checks the server survives it).
 */
export const MAX_CONCURRENT_STREAMS = 256;

/**
 * Server keepalive: a PING after 60 s without activity on a connection, dropped if unanswered in
 * 20 s. Finds dead peers (a vanished client behind a NAT) long before Cloud Run's front end or any
 * NAT in between drops an idle connection (minutes), so connections the front end keeps are live.
 */
export const KEEPALIVE_TIME_MS = 60_000;
export const KEEPALIVE_TIMEOUT_MS = 20_000;

/**
 * Connection age: 30 min (± grpc-js's jitter), then GOAWAY so clients reconnect; calls already
 * running get 5 min more. Rebalances long-lived connections across instances and across WORKERS
 * (gRPC connections otherwise stick to the process that accepted them).
 */
export const MAX_CONNECTION_AGE_MS = 30 * 60_000;
export const MAX_CONNECTION_AGE_GRACE_MS = 5 * 60_000;

/** Connections with no call for 10 min are closed with GOAWAY (frees idle sockets; clients reconnect on demand). */
export const MAX_CONNECTION_IDLE_MS = 10 * 60_000;

/**
 * Ping abuse protection (grpc-js servers have none: they ignore
 * `grpc.http2.min_ping_interval_without_data_ms` and `grpc.http2.max_ping_strikes`, so
 * src/private/ping-policy.ts enforces gRPC core's policy): on a connection with no call open, a
 * PING received sooner than 10 s after the previous one is a strike; the third strike gets
 * GOAWAY ENHANCE_YOUR_CALM and the connection is closed. 10 s admits every common client keepalive
 * setting (gRPC's documented minimum client keepalive is 10 s) while stopping ping floods. PINGs
 * during open calls are allowed, as gRPC clients send them to size their flow-control window.
 */
export const MIN_PING_INTERVAL_MS = 10_000;
export const MAX_PING_STRIKES = 2;

/**
 * HTTP/1.1 (the web protocols without h2c: local development, `curl http://…`; Cloud Run's front end
 * always speaks HTTP/2 to the container): a request's headers must arrive within 10 s and the whole
 * request within 30 s, so a slow client cannot hold a connection and its buffers (a small request
 * is a few hundred bytes); an idle keep-alive connection is closed after 60 s.
 */
export const HTTP1_HEADERS_TIMEOUT_MS = 10_000;
export const HTTP1_REQUEST_TIMEOUT_MS = 30_000;
export const HTTP1_KEEP_ALIVE_TIMEOUT_MS = 60_000;

/**
 * A REST request's query string (protocol-rest/): at most 8 KiB, answered 414 URI Too Long beyond.
 * The common front ends' request-line limit (nginx's default `large_client_header_buffers` is 8 KiB
 * and answers 414 past it), so a URL the engine accepts passes any of them; well inside Node's own
 * header limits (16 KiB for HTTP/1.1, 64 KiB of header list on HTTP/2), so the client gets this
 * clear answer and not a bare 431. The query carries a request's fields as text: a larger request
 * belongs in a POST body.
 */
export const MAX_QUERY_BYTES = 8 * 1024;

/** The limits a server may set for itself. */
export interface ServerLimits {
  readonly maxReceiveMessageBytes: number;
  readonly maxSendMessageBytes: number;
  /** How long an HTTP/1.1 request may take to arrive, headers and body. */
  readonly http1RequestTimeoutMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxReceiveMessageBytes: DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
  maxSendMessageBytes: DEFAULT_MAX_SEND_MESSAGE_BYTES,
  http1RequestTimeoutMs: HTTP1_REQUEST_TIMEOUT_MS,
};

/** The grpc-js server options built from the values above. */
export const serverChannelOptions = (limits: ServerLimits): ChannelOptions => ({
  // Not a limit: this server does not serve channelz, so grpc-js's per-call channelz bookkeeping
  // (call counters and traces per server and per connection) would be pure cost.
  "grpc.enable_channelz": 0,
  "grpc.max_receive_message_length": limits.maxReceiveMessageBytes,
  "grpc.max_send_message_length": limits.maxSendMessageBytes,
  "grpc.max_concurrent_streams": MAX_CONCURRENT_STREAMS,
  "grpc.keepalive_time_ms": KEEPALIVE_TIME_MS,
  "grpc.keepalive_timeout_ms": KEEPALIVE_TIMEOUT_MS,
  "grpc.max_connection_age_ms": MAX_CONNECTION_AGE_MS,
  "grpc.max_connection_age_grace_ms": MAX_CONNECTION_AGE_GRACE_MS,
  "grpc.max_connection_idle_ms": MAX_CONNECTION_IDLE_MS,
});

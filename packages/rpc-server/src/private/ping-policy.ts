/**
 * HTTP/2 PING abuse protection for grpc-js servers, which have none of their own (they ignore
 * `grpc.http2.min_ping_interval_without_data_ms` and `grpc.http2.max_ping_strikes`).
 *
 * gRPC core's policy, as its servers apply it: while the connection has no call open, a PING that
 * arrives sooner than `minIntervalMs` after the previous one is a strike; after `maxStrikes`
 * strikes the next early PING gets GOAWAY with ENHANCE_YOUR_CALM and the connection is closed.
 * While calls are open, PINGs are free and strikes are forgiven: core resets strikes whenever it
 * sends data, because gRPC clients (grpc-go, C-core) send BDP-estimation PINGs as they receive a
 * stream's data. Node answers every PING itself; this only watches them.
 *
 * grpc-js exposes no hook for its HTTP/2 sessions; the protocol router (protocol-router.ts) gives
 * them. If it cannot engage, `installPingPolicy` reports false and the server says so at start.
 */
import { constants, type ServerHttp2Session, type ServerHttp2Stream } from "node:http2";
import type { ProtocolRouter } from "./protocol-router.js";

/** How long a connection closed for ping abuse may keep its calls running before it is destroyed. */
const ABUSER_CLOSE_MS = 1000;

export interface PingPolicy {
  readonly minIntervalMs: number;
  readonly maxStrikes: number;
  /** Called when a connection is closed for pinging too often. */
  readonly onAbuse?: ((session: ServerHttp2Session) => void) | undefined;
}

function watchSession(session: ServerHttp2Session, policy: PingPolicy): void {
  let lastPing = -Infinity;
  let strikes = 0;
  let openCalls = 0;
  // One listener per session, shared by its streams ('close' fires once per stream, so `on` is
  // `once` without the wrapper `once` allocates for every call).
  const onStreamClose = () => {
    openCalls -= 1;
  };
  session.on("stream", (stream: ServerHttp2Stream) => {
    openCalls += 1;
    strikes = 0;
    stream.on("close", onStreamClose);
  });
  session.on("ping", () => {
    const now = performance.now();
    const early = now - lastPing < policy.minIntervalMs;
    lastPing = now;
    if (openCalls > 0) {
      strikes = 0;
      return;
    }
    if (!early) return;
    strikes += 1;
    if (strikes <= policy.maxStrikes || session.closed || session.destroyed) return;
    policy.onAbuse?.(session);
    session.goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM);
    // close() lets the GOAWAY reach the peer; a peer that holds streams open is cut off shortly after.
    session.close();
    setTimeout(() => session.destroy(), ABUSER_CLOSE_MS).unref();
  });
}

/** Watches every HTTP/2 session the router sees; false when it is not engaged. */
export function installPingPolicy(router: ProtocolRouter, policy: PingPolicy): boolean {
  return router.onSession((session) => watchSession(session, policy));
}

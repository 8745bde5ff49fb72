/**
 * The one port: a TCP listener that tells, per connection, HTTP/2 from HTTP/1.1 and hands each to
 * its server. Cleartext: a connection that opens with HTTP/2's 24-byte preface (h2c, as Cloud Run's
 * front end and every gRPC client speak it) goes to HTTP/2, anything else to HTTP/1.1 (browsers and
 * `curl http://…` for local development). With TLS, ALPN decides: `h2` or `http/1.1`.
 *
 * Node's HTTP/2 server has no `allowHTTP1` for cleartext, hence the look at the first bytes.
 */
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from "node:net";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import type { Duplex } from "node:stream";

const HTTP2_PREFACE: Buffer = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/** How long a new connection may take to send its first bytes. */
const FIRST_BYTES_TIMEOUT_MS = 10_000;

export interface ConnectionHandlers {
  readonly http2: (connection: Duplex) => void;
  readonly http1: (connection: Duplex) => void;
}

export interface ListenOptions {
  /** Undefined: every address (`::`, or `0.0.0.0` without IPv6). */
  readonly host: string | undefined;
  readonly port: number;
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer } | undefined;
}

export interface Listener {
  readonly host: string;
  readonly port: number;
  /**
   * Stops accepting connections and closes those that have not said what they speak yet; resolves
   * once every accepted connection has closed (the HTTP servers drain them).
   */
  readonly close: () => Promise<void>;
  /** Destroys every connection now. */
  readonly destroy: () => void;
}

/** Reads the first bytes of `socket` until they tell the protocol, puts them back, and hands it on. */
function sniff(socket: Socket, handlers: ConnectionHandlers, undecided: Set<Socket>): void {
  let seen: Buffer = Buffer.alloc(0);
  undecided.add(socket);
  socket.once("close", () => undecided.delete(socket));
  socket.setTimeout(FIRST_BYTES_TIMEOUT_MS, () => socket.destroy());
  socket.on("error", () => socket.destroy());
  const onData = (chunk: Buffer): void => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const compared = Math.min(seen.length, HTTP2_PREFACE.length);
    const isHttp2 = seen.subarray(0, compared).equals(HTTP2_PREFACE.subarray(0, compared));
    if (isHttp2 && seen.length < HTTP2_PREFACE.length) return;
    socket.removeListener("data", onData);
    undecided.delete(socket);
    socket.pause();
    socket.unshift(seen);
    socket.setTimeout(0);
    (isHttp2 ? handlers.http2 : handlers.http1)(socket);
  };
  socket.on("data", onData);
}

/** Binds `host:port`, or (no host) the unspecified address: `::`, `0.0.0.0` where the kernel has IPv6 off. */
function bind(server: TcpServer, host: string | undefined, port: number): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(host === undefined ? { port } : { host, port }, () => {
      server.removeListener("error", onError);
      // (A TCP server's address once listening: never null, never a pipe's name.)
      const address = server.address() as AddressInfo;
      resolve({ host: address.address, port: address.port });
    });
  });
}

/**
 * Listens on `host:port`; without a host, on every address (`::`, or `0.0.0.0` where the kernel has IPv6
 * off: Node's own fallback). That default also skips what Node does for a host, even an IP literal: a DNS
 * lookup and a check of each address that compiles the IPv6 regular expression, ~8 ms of every start
 * (a --cpu-prof of one start, Node 24).
 */
export async function listen(options: ListenOptions, handlers: ConnectionHandlers): Promise<Listener> {
  // Every accepted connection, to wait for them at shutdown: grpc-js's own shutdown does not wait for
  // connections it did not accept itself (on Node 24 its callback comes at once), nor does node:http.
  const connections = new Set<Socket>();
  const undecided = new Set<Socket>();
  let drained: (() => void) | undefined;
  const track = (socket: Socket): void => {
    connections.add(socket);
    socket.once("close", () => {
      connections.delete(socket);
      if (connections.size === 0) drained?.();
    });
  };
  const server: TcpServer =
    options.tls === undefined
      ? createTcpServer((socket) => {
          track(socket);
          sniff(socket, handlers, undecided);
        })
      : createTlsServer({ ...options.tls, ALPNProtocols: ["h2", "http/1.1"] }, (socket: TLSSocket) =>
          socket.alpnProtocol === "h2" ? handlers.http2(socket) : handlers.http1(socket),
        )
          .on("connection", track)
          // A failed handshake concerns that client only.
          .on("tlsClientError", (_error, socket) => socket.destroy());
  const { host, port } = await bind(server, options.host, options.port);
  return {
    host,
    port,
    close() {
      server.close();
      for (const socket of undecided) socket.destroy();
      return connections.size === 0 ? Promise.resolve() : new Promise((resolve) => (drained = resolve));
    },
    destroy() {
      for (const socket of connections) socket.destroy();
    },
  };
}

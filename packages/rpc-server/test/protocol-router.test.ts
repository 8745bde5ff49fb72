// The protocol router is the one module that reaches into grpc-js's private state. It must engage on
// the grpc-js version package.json pins (this suite fails when an upgrade changes what it relies on),
// and when grpc-js's internals really are different — changed here on real grpc-js Servers, which
// keep serving — it must report itself not engaged, and gRPC must still be served, through grpc-js.
import type { Http2Server, ServerHttp2Session, ServerHttp2Stream } from "node:http2";
import { createRequire } from "node:module";
import { Server } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallContext, Middleware, RpcServer } from "../src/index.js";
import { createProtocolRouter, type StreamRoutes } from "../src/private/protocol-router.js";
import { grpcJsEchoClient } from "./echo-clients.js";
import { startEchoServer } from "./fixture-service.js";

const require = createRequire(import.meta.url);

const routes: StreamRoutes = { grpc: () => false, web: () => undefined };

type Internals = { http2Servers: unknown; onStreamOpened?: unknown };
const internals = (server: Server) => server as unknown as Internals;

/** What grpc-js might use one day instead of a Map: the same operations, not a Map. */
class ServerTable<K, V> {
  readonly #entries = new Map<K, V>();
  constructor(from: Iterable<[K, V]> = []) {
    for (const [key, value] of from) this.#entries.set(key, value);
  }
  get size(): number {
    return this.#entries.size;
  }
  get(key: K): V | undefined {
    return this.#entries.get(key);
  }
  set(key: K, value: V): this {
    this.#entries.set(key, value);
    return this;
  }
  delete(key: K): boolean {
    return this.#entries.delete(key);
  }
  keys(): IterableIterator<K> {
    return this.#entries.keys();
  }
  entries(): IterableIterator<[K, V]> {
    return this.#entries.entries();
  }
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.#entries.entries();
  }
}

/**
 * A Map of grpc-js's HTTP/2 servers that moves each server's 'stream' listeners to its sessions as
 * grpc-js registers it: grpc-js still serves every stream, and the server itself has no 'stream' listener.
 */
class SessionStreamServers<V> extends Map<Http2Server, V> {
  override set(server: Http2Server, value: V): this {
    const listeners = server.listeners("stream") as ((...args: unknown[]) => void)[];
    server.removeAllListeners("stream");
    server.on("session", (session: ServerHttp2Session) =>
      session.on("stream", (stream: ServerHttp2Stream, ...rest: unknown[]) => {
        for (const listener of listeners) listener.call(server, stream, ...rest);
      }),
    );
    return super.set(server, value);
  }
}

describe("the protocol router on the pinned @grpc/grpc-js", () => {
  it("is pinned to an exact version, the one installed", () => {
    const pinned = (require("../package.json") as { dependencies: Record<string, string> }).dependencies[
      "@grpc/grpc-js"
    ];
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect((require("@grpc/grpc-js/package.json") as { version: string }).version).toBe(pinned);
  });

  it("engages on a grpc-js Server as it is", () => {
    const server = new Server();
    expect(createProtocolRouter(server, routes).engaged).toBe(true);
    server.forceShutdown();
  });

  it("engages in a running engine server, which serves plain gRPC on the direct path", async () => {
    const served: string[] = [];
    const server = await startEchoServer({ middleware: [recordServedBy(served)] });
    expect(server.protocolRouterEngaged).toBe(true);
    const client = grpcJsEchoClient(server.port);
    expect((await client.unary({ text: "hi" })).responses).toEqual([{ text: "hi", index: 0 }]);
    client.close();
    await server.shutdown(1000);
    expect(served).toEqual(["direct"]);
  });
});

function recordServedBy(served: string[]): Middleware {
  return {
    unary: (next) => (request, context: CallContext) => {
      served.push(context.servedBy);
      return next(request, context);
    },
  };
}

describe("grpc-js internals that changed: the router reports itself not engaged", () => {
  it("http2Servers is not a Map", () => {
    const server = new Server();
    internals(server).http2Servers = new ServerTable();
    expect(createProtocolRouter(server, routes).engaged).toBe(false);
    server.forceShutdown();
  });

  it("the injector's HTTP/2 server has no 'stream' listener (grpc-js listens on its sessions)", () => {
    const server = new Server();
    internals(server).http2Servers = new SessionStreamServers();
    expect(createProtocolRouter(server, routes).engaged).toBe(false);
    server.forceShutdown();
  });

  it("onStreamOpened is missing (shadowed on the instance)", () => {
    const server = new Server();
    internals(server).onStreamOpened = undefined;
    expect(createProtocolRouter(server, routes).engaged).toBe(false);
    server.forceShutdown();
  });
});

describe.each([
  ["http2Servers is not a Map", () => new ServerTable()],
  ["the injector's HTTP/2 server has no 'stream' listener", () => new SessionStreamServers()],
])("a real engine server on a grpc-js whose %s", (_, table) => {
  const original = Object.getOwnPropertyDescriptor(Server.prototype, "createConnectionInjector");
  const served: string[] = [];
  let server: RpcServer;
  beforeAll(async () => {
    type Create = (this: Server, ...args: Parameters<Server["createConnectionInjector"]>) => unknown;
    const create = original?.value as Create;
    // Every Server made from here on keeps its HTTP/2 servers in the changed structure.
    Server.prototype.createConnectionInjector = function (this: Server, ...args) {
      const changed = table() as Map<unknown, unknown>;
      for (const [key, value] of internals(this).http2Servers as Map<unknown, unknown>) changed.set(key, value);
      internals(this).http2Servers = changed;
      return create.apply(this, args) as ReturnType<Server["createConnectionInjector"]>;
    };
    server = await startEchoServer({ middleware: [recordServedBy(served)] });
  });
  afterAll(async () => {
    if (original !== undefined) Object.defineProperty(Server.prototype, "createConnectionInjector", original);
    await server.shutdown(1000);
  });

  it("reports the router not engaged and still serves every gRPC call kind, through grpc-js", async () => {
    expect(server.protocolRouterEngaged).toBe(false);
    const client = grpcJsEchoClient(server.port);
    expect((await client.unary({ text: "hi" })).responses).toEqual([{ text: "hi", index: 0 }]);
    expect((await client.serverStream({ text: "s", repeat: 2 })).responses).toHaveLength(2);
    expect((await client.clientStream([{ text: "a" }, { text: "b" }])).responses).toEqual([{ text: "a b", index: 2 }]);
    expect((await client.bidi([{ text: "x" }, { text: "y" }])).responses).toHaveLength(2);
    client.close();
    expect(served).toEqual(["grpc-js"]);
  });
});

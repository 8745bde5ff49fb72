// A shutdown lets calls run for its grace period, then cancels them: each handler's ctx.signal is
// aborted with UNAVAILABLE "the server is shutting down" (not with a client's cancel), on every path.
import { CallError, Code, type RpcServer } from "../src/index.js";
import { describe, expect, it } from "vitest";
import { connectEchoClient, grpcJsEchoClient, transports, type EchoClient } from "./echo-clients.js";
import { startEchoServer } from "./fixture-service.js";

const paths: readonly { name: string; create: (port: number) => EchoClient }[] = [
  { name: "gRPC, direct path", create: (port) => grpcJsEchoClient(port) },
  {
    name: "gRPC through grpc-js (compressed)",
    create: (port) => grpcJsEchoClient(port, { "grpc.default_compression_algorithm": 2 }),
  },
  { name: "Connect, HTTP/2", create: (port) => connectEchoClient(transports.connect(port, "2", true)) },
  { name: "Connect through connect-es (gzip)", create: (port) => connectEchoClient(transports.connectGzip(port)) },
  { name: "gRPC-Web, HTTP/1.1", create: (port) => connectEchoClient(transports.grpcWeb(port, "1.1", true)) },
];

describe.each(paths)("a call still running when a shutdown's grace period ends: $name", ({ create }) => {
  it("sees its signal aborted with UNAVAILABLE, the server is shutting down", async () => {
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    const reasons: unknown[] = [];
    const server: RpcServer = await startEchoServer({
      handlers: {
        unary: (_request, context) =>
          new Promise((_resolve, reject) => {
            context.signal.addEventListener("abort", () => {
              reasons.push(context.signal.reason);
              reject(context.signal.reason as Error);
            });
            started();
          }),
      },
    });
    const client = create(server.port);
    const outcome = client.unary({ text: "stay" });
    await running;
    const began = performance.now();
    expect(await server.shutdown(100)).toBe(false); // not every call finished within the grace period
    expect(performance.now() - began).toBeGreaterThanOrEqual(99);
    await outcome;
    client.close();
    // The server hears of its connections' end as the client does: in their close events.
    await expect.poll(() => reasons.length).toBe(1);
    expect(reasons[0]).toBeInstanceOf(CallError);
    expect(reasons[0]).toMatchObject({ code: Code.UNAVAILABLE, message: "the server is shutting down" });
  });
});

// The real calculator server (@grpc-calculator/server), in-process on an ephemeral loopback port:
// every test about calculator semantics (results, rounding, error statuses and messages) runs against it.
import { startServer } from "@grpc-calculator/server";
import type { TestServer } from "./test-server.js";

export async function startRealServer(): Promise<TestServer> {
  const server = await startServer({ port: 0, host: "127.0.0.1", logLevel: "silent" });
  return {
    port: server.port,
    close: () => {
      server.forceShutdown();
      return Promise.resolve();
    },
  };
}

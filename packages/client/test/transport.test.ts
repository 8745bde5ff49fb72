// The SDK's transports call a method by its generated descriptor, whatever the method: the Node transport
// here calls grpc.health.v1.Health/Check, a method the calculator client never names, by the definition
// ts-proto generates for it. And the Node retry rule covers the service's methods by kind, from the same
// generated definitions.
import { HealthCheckResponse_ServingStatus as ServingStatus, HealthService } from "@grpc-calculator/proto/health";
import { afterAll, beforeAll, expect, it } from "vitest";
import { serviceConfig } from "../src/node/channel-options.js";
import { createGrpcTransport } from "../src/node/transport.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({}, { health: { "": "SERVING", Calculator: "NOT_SERVING" } });
});
afterAll(() => server.close());

it("calls any unary method by its generated definition", async () => {
  const transport = createGrpcTransport(`127.0.0.1:${server.port}`, {});
  const call = { deadline: Date.now() + 5_000, metadata: undefined, waitForReady: false, signal: undefined };
  try {
    expect(await transport.unary(HealthService.check, { service: "Calculator" }, call)).toEqual({
      status: ServingStatus.NOT_SERVING,
    });
    await expect(transport.unary(HealthService.check, { service: "Nothing" }, call)).rejects.toMatchObject({
      codeName: "NOT_FOUND",
    });
  } finally {
    transport.close();
  }
});

it("retries the unary methods of the service on Node, not the streaming one", () => {
  expect(serviceConfig.methodConfig.map((config) => config.name)).toEqual([
    [{ service: "Calculator", method: "Calculate" }],
  ]);
});

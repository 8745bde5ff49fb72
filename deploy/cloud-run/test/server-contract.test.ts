// service.yaml against the real server, in-process on loopback: the environment it sets is configuration the
// server accepts, and the health checks its probes make answer SERVING. (The container itself is apps/e2e's.)
import { credentials, Metadata } from "@grpc/grpc-js";
import { HealthClient, parseConfig, ServingStatus, startServer, type RunningServer } from "@grpc-calculator/server";
import { productionNodeOptions } from "@grpc-calculator/server/production-node-options";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readServiceTemplate, renderServiceYaml } from "../src/index.js";

interface Probe {
  grpc: { port: number; service: string };
}
interface Container {
  env: { name: string; value: string }[];
  resources: { limits: { memory: string } };
  startupProbe: Probe;
  livenessProbe: Probe;
}
const yaml = renderServiceYaml(readServiceTemplate(), {
  SERVICE: "s",
  REGION: "us-central1",
  IMAGE: "img",
  PROJECT: "p",
});
const container = (parse(yaml) as { spec: { template: { spec: { containers: Container[] } } } }).spec.template.spec
  .containers[0]!;
const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));

describe("service.yaml and the server", () => {
  // Cloud Run sets PORT to the containerPort; here any free loopback port stands in for it.
  const config = parseConfig({ ...env, PORT: "0", HOST: "127.0.0.1" });
  let server: RunningServer;
  let health: HealthClient;

  it("turns on telemetry to Google's OTLP endpoint, sampling as Cloud Run's front end decides", () => {
    expect(config.googleCloudProject).toBe("p");
    expect(config.telemetry).toMatchObject({
      traces: { url: "https://telemetry.googleapis.com/v1/traces", protocol: "http/protobuf" },
      metrics: { url: "https://telemetry.googleapis.com/v1/metrics" },
      sampler: "parentbased_traceidratio",
      samplerRatio: 0.1,
      resourceAttributes: { "cloud.region": "us-central1" },
    });
  });

  beforeAll(async () => {
    server = await startServer({
      port: config.port,
      host: config.host,
      logLevel: "silent",
      shutdownGraceMs: config.shutdownGraceMs,
    });
    health = new HealthClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
  });
  afterAll(async () => {
    health?.close();
    await server?.shutdown();
  });

  it("sets only configuration the server accepts, with one worker per vCPU", () => {
    expect(config.logLevel).toBe(env["LOG_LEVEL"]);
    expect(config.workers).toBe(1);
    expect(config.shutdownGraceMs).toBe(Number(env["SHUTDOWN_GRACE_MS"]));
  });

  it.each([
    ["startupProbe", container.startupProbe],
    ["livenessProbe", container.livenessProbe],
  ])("%s's health check answers SERVING", async (_name, probe) => {
    const status = await new Promise<number>((resolve, reject) =>
      health.check(
        { service: probe.grpc.service },
        new Metadata(),
        { deadline: Date.now() + 5_000 },
        (error, response) => (error ? reject(error) : resolve(response.status)),
      ),
    );
    expect(status).toBe(ServingStatus.SERVING);
  });

  it("leaves the instance memory for more than the image's old-generation cap (NODE_OPTIONS in the Dockerfile)", () => {
    const memory = /^(\d+)Mi$/.exec(container.resources.limits.memory);
    const cap = productionNodeOptions()
      .map((flag) => /^--max-old-space-size=(\d+)$/.exec(flag)?.[1])
      .find((value) => value !== undefined);
    expect(memory, "memory limit in Mi").not.toBeNull();
    expect(cap, "--max-old-space-size in the image's NODE_OPTIONS").toBeDefined();
    // The cap bounds the V8 heap of the one process (WORKERS=1); the rest is Node, buffers and sockets.
    expect(Number(cap)).toBeLessThanOrEqual(Number(memory![1]) * 0.75);
  });
});

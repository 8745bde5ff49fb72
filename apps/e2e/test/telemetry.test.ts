// The image with OpenTelemetry on, exporting to an OTLP receiver on the host: the container shares the
// host's network (`--network host`) so the receiver and the server listen on 127.0.0.1 only. Spans carry
// the caller's trace, Cloud Run's environment becomes the resource, and `docker stop` (SIGTERM) flushes.
import { credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import { CalculatorClient, Operation, type CalculationResult } from "@grpc-calculator/proto";
import { startOtlpReceiver, type OtlpReceiver } from "@grpc-calculator/server/test/otlp-receiver";
import getPort from "get-port";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { docker, inspectContainer } from "../src/docker.js";
import { waitUntilServing } from "../src/health.js";
import { CONTAINER_LABEL } from "../src/server-container.js";

const e2e = inject("e2e");
const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = "00f067aa0ba902b7";

function calculate(client: CalculatorClient, first: number, second: number, metadata: Metadata): Promise<number> {
  return new Promise((resolve, reject) =>
    client.calculate(
      { firstOperand: first, secondOperand: second, operation: Operation.ADD },
      metadata,
      { deadline: Date.now() + 10_000 },
      (error: ServiceError | null, response?: CalculationResult) =>
        error === null ? resolve(response?.result ?? Number.NaN) : reject(error),
    ),
  );
}

describe.skipIf(e2e.skip)("telemetry from the container", () => {
  let receiver: OtlpReceiver;
  let container = "";
  let port = 0;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    port = await getPort({ host: "127.0.0.1" });
    const env = {
      PORT: String(port),
      HOST: "127.0.0.1",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      // Exports only at shutdown: what arrives proves SIGTERM's flush.
      OTEL_BSP_SCHEDULE_DELAY: "600000",
      OTEL_METRIC_EXPORT_INTERVAL: "600000",
      K_SERVICE: "grpc-calculator",
      K_REVISION: "grpc-calculator-00001-e2e",
      K_CONFIGURATION: "grpc-calculator",
    };
    container = (
      await docker([
        "run",
        "-d",
        "--network",
        "host",
        "--read-only",
        "--label",
        `${CONTAINER_LABEL}=${e2e.runId}`,
        ...Object.entries(env).flatMap(([name, value]) => ["-e", `${name}=${value}`]),
        e2e.image,
      ])
    ).trim();
    await waitUntilServing(`127.0.0.1:${port}`, 30_000);
  });
  afterAll(async () => {
    if (container) await docker(["rm", "-f", container]).catch(() => undefined);
    await receiver?.close();
  });

  it("exports the calls' spans and duration histogram on docker stop, continuing the caller's trace", async () => {
    const client = new CalculatorClient(`127.0.0.1:${port}`, credentials.createInsecure());
    const traced = new Metadata();
    traced.set("traceparent", `00-${TRACE}-${PARENT}-01`);
    expect(await calculate(client, 2, 3, traced)).toBe(5);
    expect(await calculate(client, 4, 5, new Metadata())).toBe(9);
    client.close();
    expect(receiver.spans).toHaveLength(0);

    await docker(["stop", "--time", "10", container], 30_000);
    expect((await inspectContainer(container)).exitCode).toBe(0);

    expect(receiver.spans).toHaveLength(2);
    const child = receiver.spans.find((span) => span.traceId === TRACE);
    expect(child).toMatchObject({
      name: "Calculator/Calculate",
      kind: 2,
      parentSpanId: PARENT,
      attributes: { "rpc.system.name": "grpc", "rpc.response.status_code": "OK", "calculator.served_by": "direct" },
      resource: {
        "service.name": "grpc-calculator",
        "cloud.platform": "gcp_cloud_run",
        "faas.name": "grpc-calculator",
        "faas.version": "grpc-calculator-00001-e2e",
      },
    });
    const durations = receiver.points.filter((point) => point.metric === "rpc.server.call.duration");
    expect(durations.reduce((sum, point) => sum + (point.count ?? 0), 0)).toBe(2);
  });
});

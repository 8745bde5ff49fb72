// OpenTelemetry end to end, in process: calls over every protocol and path, exported to a local OTLP
// receiver (test/otlp-receiver.ts) in protobuf and in JSON; what the spans, the duration histogram and
// the log lines say; and an exporter that is down, failing or silent costs no call anything.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Metadata } from "@grpc/grpc-js";
import { BinaryOperation, CalculationResult, Operation } from "@grpc-calculator/proto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.js";
import type { RunningServer } from "../src/index.js";
import { createLogger } from "../src/logger.js";
import { ServingStatus } from "../src/health.js";
import {
  calculateOnce,
  calculatorClient,
  healthStatus,
  listeningPort,
  rejection,
  spawnServer,
  startTestServer,
} from "./helpers.js";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "./otlp-receiver.js";
import { envelope, grpcWebFrames, http1, http2 } from "./web-http.js";

const PARENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN = "00f067aa0ba902b7";

/** The telemetry configuration as the OTEL_* variables give it, exporting fast. */
function telemetryFor(receiver: OtlpReceiver, env: Record<string, string> = {}) {
  return parseConfig({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_BSP_SCHEDULE_DELAY: "20",
    OTEL_METRIC_EXPORT_INTERVAL: "100",
    OTEL_SERVICE_NAME: "calculator-under-test",
    ...env,
  }).telemetry;
}

interface Served {
  server: RunningServer;
  logs: Record<string, unknown>[];
}

async function serve(receiver: OtlpReceiver, env: Record<string, string> = {}): Promise<Served> {
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: "debug",
    destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
  });
  // A short grace: shutting down with an exporter that never answers waits for it that long.
  const server = await startTestServer({
    logger,
    googleCloudProject: "test-project",
    telemetry: telemetryFor(receiver, env),
    shutdownGraceMs: 300,
  });
  return { server, logs };
}

function grpcCall(port: number, request: Partial<BinaryOperation>, metadata: Metadata, compressed = false) {
  const client = calculatorClient(port, compressed ? { "grpc.default_compression_algorithm": 2 } : {});
  return calculateOnce(client, request, metadata).finally(() => client.close());
}

const encode = (request: Partial<BinaryOperation>) =>
  BinaryOperation.encode({ firstOperand: 0, secondOperand: 0, operation: Operation.ADD, ...request }).finish();

/** One call per protocol and path, each with its own trace header; resolves with what each answered. */
async function callEveryProtocol(port: number) {
  const w3c = new Metadata();
  w3c.set("traceparent", `00-${PARENT_TRACE}-${PARENT_SPAN}-01`);
  w3c.set("tracestate", "vendor=opaque");
  const direct = await grpcCall(port, { firstOperand: 2, secondOperand: 3 }, w3c);

  const census = new Metadata();
  // OpenCensus binary: version 0, trace id (field 0), span id (field 1), options (field 2: sampled).
  census.set(
    "grpc-trace-bin",
    Buffer.concat([
      Buffer.from([0, 0]),
      Buffer.from("0af7651916cd43dd8448eb211c80319c", "hex"),
      Buffer.from([1]),
      Buffer.from("b7ad6b7169203331", "hex"),
      Buffer.from([2, 1]),
    ]),
  );
  const viaGrpcJs = await grpcCall(
    port,
    { firstOperand: 6, secondOperand: 7, operation: Operation.MULTIPLY },
    census,
    true,
  );

  const connect = await http2(port, {
    headers: {
      "content-type": "application/json",
      "x-cloud-trace-context": "105445aa7843bc8bf206b12000100000/1234567890123456789;o=1",
    },
    body: JSON.stringify({ firstOperand: 1, secondOperand: 0, operation: "DIVIDE" }),
  });

  const grpcWeb = await http1(port, {
    headers: { "content-type": "application/grpc-web+proto" },
    body: envelope(encode({ firstOperand: 9, secondOperand: 4, operation: Operation.SUBTRACT })),
  });

  const internal = await http2(port, {
    headers: { "content-type": "application/grpc", te: "trailers" },
    body: envelope(Buffer.from([0xff, 0xff, 0xff])),
  });
  return { direct, viaGrpcJs, connect, grpcWeb, internal };
}

const byName = (spans: ReceivedSpan[], attribute: string, value: string) =>
  spans.find((span) => span.attributes[attribute] === value);

describe.each(["http/protobuf", "http/json"])("telemetry exported over OTLP %s", (protocol) => {
  let receiver: OtlpReceiver;
  let served: Served;
  let answers: Awaited<ReturnType<typeof callEveryProtocol>>;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    served = await serve(receiver, { OTEL_EXPORTER_OTLP_PROTOCOL: protocol });
    answers = await callEveryProtocol(served.server.port);
    await receiver.waitFor(() => receiver.spans.length >= 5);
  });
  afterAll(async () => {
    await served?.server.shutdown();
    await receiver?.close();
  });

  it("answers every call as without telemetry", () => {
    expect(answers.direct).toBe(5);
    expect(answers.viaGrpcJs).toBe(42);
    expect(JSON.parse(answers.connect.body.toString())).toMatchObject({ code: "invalid_argument" });
    const web = grpcWebFrames(answers.grpcWeb.body);
    expect(CalculationResult.decode(web.messages[0]!).result).toBe(5);
    expect(answers.internal.headers["grpc-status"]).toBe("13");
    expect(receiver.requests[protocol === "http/json" ? "application/json" : "application/x-protobuf"]).toBeGreaterThan(
      0,
    );
  });

  it("one SERVER span per call, named and attributed after the RPC conventions, with the protocol that carried it", () => {
    expect(receiver.spans).toHaveLength(5);
    for (const span of receiver.spans) {
      expect(span.name).toBe("Calculator/Calculate");
      expect(span.kind).toBe(2);
      expect(span.attributes["rpc.method"]).toBe("Calculator/Calculate");
      expect(span.resource["service.name"]).toBe("calculator-under-test");
      expect(span.resource["service.instance.id"]).toMatch(/^[\da-f-]{36}$/);
      expect(span.endTimeUnixNano).toBeGreaterThan(span.startTimeUnixNano);
    }
    const protocols = receiver.spans.map((span) => [
      span.attributes["calculator.protocol"],
      span.attributes["calculator.served_by"],
    ]);
    expect(protocols).toEqual(
      expect.arrayContaining([
        ["grpc", "direct"],
        ["grpc", "grpc-js"],
        ["connect", "direct"],
        ["grpc-web", "direct"],
      ]),
    );
  });

  it("continues the caller's trace from traceparent (with tracestate), grpc-trace-bin and X-Cloud-Trace-Context", () => {
    const w3c = receiver.spans.find((span) => span.traceId === PARENT_TRACE);
    expect(w3c).toMatchObject({ parentSpanId: PARENT_SPAN, traceState: "vendor=opaque" });
    expect(w3c?.attributes).toMatchObject({
      "rpc.system.name": "grpc",
      "rpc.response.status_code": "OK",
      "calculator.served_by": "direct",
    });

    const census = byName(receiver.spans, "calculator.served_by", "grpc-js");
    expect(census).toMatchObject({ traceId: "0af7651916cd43dd8448eb211c80319c", parentSpanId: "b7ad6b7169203331" });

    const cloud = byName(receiver.spans, "calculator.protocol", "connect");
    expect(cloud).toMatchObject({
      traceId: "105445aa7843bc8bf206b12000100000",
      parentSpanId: BigInt("1234567890123456789").toString(16).padStart(16, "0"),
    });
  });

  it("a caller's mistake (INVALID_ARGUMENT) is no server error; INTERNAL is, with error.type", () => {
    const invalid = byName(receiver.spans, "calculator.protocol", "connect")!;
    expect(invalid.attributes).toMatchObject({
      "rpc.system.name": "connectrpc",
      "rpc.response.status_code": "invalid_argument",
    });
    expect(invalid.attributes["error.type"]).toBeUndefined();
    expect(invalid.status.code).toBe(0);

    const web = byName(receiver.spans, "calculator.protocol", "grpc-web")!;
    expect(web.attributes).toMatchObject({
      "rpc.system.name": "grpc",
      "rpc.response.status_code": "OK",
      "network.protocol.version": "1.1",
    });
    expect(web.parentSpanId).toBe("");

    const internal = receiver.spans.find((span) => span.attributes["rpc.response.status_code"] === "INTERNAL")!;
    expect(internal.attributes).toMatchObject({ "error.type": "INTERNAL", "calculator.protocol": "grpc" });
    expect(internal.status).toEqual({ code: 2, message: expect.stringMatching(/./) as unknown });
  });

  it("the log lines carry each call's span ids", () => {
    const lines = served.logs.filter((line) => line.method === "/Calculator/Calculate");
    expect(lines).toHaveLength(5);
    const logged = lines
      .map((line) => [line["logging.googleapis.com/trace"], line["logging.googleapis.com/spanId"]])
      .sort();
    const spans = receiver.spans.map((span) => [`projects/test-project/traces/${span.traceId}`, span.spanId]).sort();
    expect(logged).toEqual(spans);
  });

  it("counts every call in rpc.server.call.duration (seconds, the conventions' buckets)", async () => {
    const count = () =>
      receiver.points
        .filter((point) => point.metric === "rpc.server.call.duration")
        .reduce((latest, point) => {
          const key = JSON.stringify(point.attributes);
          latest.set(key, point.count ?? 0);
          return latest;
        }, new Map<string, number>());
    await receiver.waitFor(() => [...count().values()].reduce((a, b) => a + b, 0) === 5);
    const point = receiver.points.find((candidate) => candidate.metric === "rpc.server.call.duration")!;
    expect(point.unit).toBe("s");
    expect(point.bounds).toEqual([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);
    const active = receiver.points.filter((candidate) => candidate.metric === "calculator.server.active_calls");
    expect(active.map((candidate) => candidate.attributes["calculator.protocol"])).toEqual(
      expect.arrayContaining(["grpc", "grpc-web", "connect"]),
    );
  });
});

describe("CalculateStream", () => {
  let receiver: OtlpReceiver;
  let served: Served;
  afterEach(async () => {
    await served?.server.shutdown();
    await receiver?.close();
  });

  it("is one span per call, with how many operations it answered", async () => {
    receiver = await startOtlpReceiver();
    served = await serve(receiver);
    const client = calculatorClient(served.server.port);
    const call = client.calculateStream(new Metadata(), { deadline: Date.now() + 10_000 });
    const results: number[] = [];
    call.on("data", (answer: CalculationResult) => results.push(answer.result));
    const ended = new Promise((resolve) => call.on("end", resolve));
    for (const first of [1, 2, 3]) call.write({ firstOperand: first, secondOperand: 1, operation: Operation.ADD });
    call.end();
    await ended;
    client.close();
    expect(results).toEqual([2, 3, 4]);
    await receiver.waitFor(() => receiver.spans.length === 1);
    expect(receiver.spans[0]).toMatchObject({
      name: "Calculator/CalculateStream",
      attributes: {
        "calculator.operations": 3,
        "rpc.response.status_code": "OK",
        "rpc.method": "Calculator/CalculateStream",
      },
    });
  });
});

describe("an exporter that is down, failing or silent", () => {
  const cases = [
    ["answers 500", "error"],
    ["never answers", "hang"],
  ] as const;
  let receiver: OtlpReceiver;
  let served: Served;
  afterEach(async () => {
    await served?.server.shutdown();
    await receiver?.close();
  });

  it.each(cases)("%s: every call still succeeds, and the failure is logged once", async (_, mode) => {
    receiver = await startOtlpReceiver(mode);
    served = await serve(receiver, { OTEL_EXPORTER_OTLP_TIMEOUT: "200", OTEL_BSP_EXPORT_TIMEOUT: "300" });
    const client = calculatorClient(served.server.port);
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) => calculateOnce(client, { firstOperand: i, secondOperand: 1 })),
    );
    client.close();
    expect(answers).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    await receiver.waitFor(() => (receiver.requests["application/x-protobuf"] ?? 0) >= 2);
    const warnings = () => served.logs.filter((line) => String(line.message).startsWith("telemetry:"));
    await expect.poll(() => warnings().length, { timeout: 5000 }).toBeGreaterThan(0);
    expect(warnings()).toHaveLength(1);
  });

  it("is down (connection refused): calls succeed", async () => {
    receiver = await startOtlpReceiver();
    const url = receiver.url;
    await receiver.close();
    const logs: Record<string, unknown>[] = [];
    const server = await startTestServer({
      logger: createLogger({
        level: "warn",
        destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
      }),
      telemetry: parseConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: url,
        OTEL_BSP_SCHEDULE_DELAY: "10",
        // Connection refused is retried until the export's timeout.
        OTEL_EXPORTER_OTLP_TIMEOUT: "200",
      }).telemetry,
      shutdownGraceMs: 300,
    });
    const client = calculatorClient(server.port);
    for (let i = 0; i < 50; i++)
      await expect(calculateOnce(client, { firstOperand: i, secondOperand: 2 })).resolves.toBe(i + 2);
    await expect(rejection(calculateOnce(client, { operation: Operation.DIVIDE }))).resolves.toMatchObject({ code: 3 });
    client.close();
    const warnings = () => logs.filter((line) => String(line.message).startsWith("telemetry:"));
    await expect.poll(() => warnings().length, { timeout: 5000 }).toBe(1);
    expect(warnings()[0]?.message).toMatch(/export failed/);
    await server.shutdown();
  });

  it("is slower than calls arrive: the span queue stays bounded, drops are counted", async () => {
    receiver = await startOtlpReceiver("hang");
    const metrics = await startOtlpReceiver();
    try {
      served = await serve(receiver, {
        OTEL_BSP_MAX_QUEUE_SIZE: "32",
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "8",
        OTEL_EXPORTER_OTLP_TIMEOUT: "60000",
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${metrics.url}/v1/metrics`,
      });
      // Once the SDK has loaded (its first metric export), every span goes to its batch processor.
      await metrics.waitFor(() => metrics.points.length > 0);
      const client = calculatorClient(served.server.port);
      for (let round = 0; round < 5; round++) {
        await Promise.all(
          Array.from({ length: 100 }, () => calculateOnce(client, { firstOperand: 1, secondOperand: 1 })),
        );
      }
      client.close();
      const dropped = () =>
        Math.max(
          0,
          ...metrics.points
            .filter(
              (point) =>
                point.metric === "otel.sdk.processor.span.processed" && point.attributes["error.type"] === "queue_full",
            )
            .map((point) => point.value ?? 0),
        );
      // 500 calls, at most 32 queued and one batch of 8 in flight at a time: the rest are dropped.
      await metrics.waitFor(() => dropped() >= 500 - 32 - 8 * 30);
    } finally {
      await metrics.close();
    }
  });
});

describe("the bundle with OTEL_* variables (dist/server.mjs loads dist/telemetry.mjs)", () => {
  const bundle = fileURLToPath(new URL("../dist/server.mjs", import.meta.url));

  it("server.mjs holds no OpenTelemetry or Google auth code: all of it is in telemetry.mjs (read from the source maps)", () => {
    const sources = (file: string) =>
      (
        JSON.parse(readFileSync(fileURLToPath(new URL(`../dist/${file}`, import.meta.url)), "utf8")) as {
          sources: string[];
        }
      ).sources;
    const sdk = /node_modules\/(@opentelemetry|google-auth-library|gaxios)\//;
    expect(sources("server.mjs.map").filter((source) => sdk.test(source))).toEqual([]);
    expect(sources("telemetry.mjs.map").filter((source) => sdk.test(source)).length).toBeGreaterThan(0);
    // …and the SDK's file does not carry a second copy of grpc-js.
    expect(sources("telemetry.mjs.map").filter((source) => source.includes("@grpc/grpc-js"))).toEqual([]);
  });
  let receiver: OtlpReceiver;
  afterEach(async () => {
    await receiver?.close();
  });

  it("exports every call's span, and SIGTERM flushes what is still buffered before the process exits", async () => {
    receiver = await startOtlpReceiver();
    const server = spawnServer(bundle, {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      // Nothing leaves on the timer: only the shutdown's flush can export these.
      OTEL_BSP_SCHEDULE_DELAY: "600000",
      OTEL_METRIC_EXPORT_INTERVAL: "600000",
      K_SERVICE: "calculator",
      K_REVISION: "calculator-00001-abc",
      K_CONFIGURATION: "calculator",
      LOG_LEVEL: "info",
    });
    const port = await listeningPort(server);
    await expect(healthStatus(port, "")).resolves.toBe(ServingStatus.SERVING);
    const client = calculatorClient(port);
    await expect(calculateOnce(client, { firstOperand: 20, secondOperand: 22 })).resolves.toBe(42);
    client.close();
    expect(receiver.spans).toHaveLength(0);
    server.child.kill("SIGTERM");
    await expect(server.exited).resolves.toMatchObject({ code: 0 });
    expect(receiver.spans).toHaveLength(1);
    expect(receiver.spans[0]?.resource).toMatchObject({
      "service.name": "calculator",
      "cloud.platform": "gcp_cloud_run",
      "faas.name": "calculator",
      "faas.version": "calculator-00001-abc",
      "gcp.cloud_run.configuration": "calculator",
    });
    const durations = receiver.points.filter((point) => point.metric === "rpc.server.call.duration");
    expect(durations.map((point) => point.count)).toEqual([1]);
  });

  it("an invalid OTEL_* value is one line on stderr and exit 1", async () => {
    const server = spawnServer(bundle, { OTEL_TRACES_SAMPLER: "sometimes" });
    const { code, stderr } = await server.exited;
    expect(code).toBe(1);
    expect(stderr).toBe(
      'grpc-calculator-server: invalid OTEL_TRACES_SAMPLER "sometimes": expected one of parentbased_always_on, parentbased_always_off, parentbased_traceidratio, always_on, always_off, traceidratio\n',
    );
  });
});

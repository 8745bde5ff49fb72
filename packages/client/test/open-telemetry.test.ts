// OpenTelemetry in the Node entry: with @opentelemetry/api present and an SDK registered by the
// application, the active trace continues into the service (our server's log lines carry the trace and
// span ids the client sent), and `clientSpans` records one CLIENT span per call after the RPC conventions.
import { context, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createLogger, startServer, type RunningServer } from "@grpc-calculator/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCalculatorClient } from "../src/index.js";

const exporter = new InMemorySpanExporter();
const lines: Record<string, unknown>[] = [];
let server: RunningServer;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  const logger = createLogger({
    level: "debug",
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  server = await startServer({ host: "127.0.0.1", port: 0, logger, googleCloudProject: "p" });
});
afterAll(async () => {
  await server.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});
beforeEach(() => {
  exporter.reset();
  lines.length = 0;
});

/** The trace fields of the server's line for the last call. */
function serverTraceFields(): { trace: unknown; spanId: unknown } {
  const line = lines.filter((candidate) => candidate.method === "/Calculator/Calculate").at(-1) ?? {};
  return { trace: line["logging.googleapis.com/trace"], spanId: line["logging.googleapis.com/spanId"] };
}

describe("OpenTelemetry in the Node entry", () => {
  it("continues the caller's active trace into the service", async () => {
    const calculator = createCalculatorClient(`127.0.0.1:${server.port}`);
    const tracer = trace.getTracer("test");
    await tracer.startActiveSpan("caller", async (span) => {
      expect(await calculator.add(2, 3)).toBe(5);
      span.end();
    });
    calculator.close();
    const [caller] = exporter.getFinishedSpans();
    expect(serverTraceFields()).toEqual({
      trace: `projects/p/traces/${caller?.spanContext().traceId}`,
      spanId: caller?.spanContext().spanId,
    });
  });

  it("with clientSpans, records a CLIENT span per call, the service's parent, with the RPC attributes", async () => {
    const calculator = createCalculatorClient(`127.0.0.1:${server.port}`, { openTelemetry: { clientSpans: true } });
    await expect(calculator.divide(1, 0)).rejects.toMatchObject({ codeName: "INVALID_ARGUMENT" });
    calculator.close();
    const [span] = exporter.getFinishedSpans();
    expect(span).toMatchObject({
      name: "Calculator/Calculate",
      kind: SpanKind.CLIENT,
      attributes: {
        "rpc.system.name": "grpc",
        "rpc.method": "Calculator/Calculate",
        "rpc.response.status_code": "INVALID_ARGUMENT",
        "error.type": "INVALID_ARGUMENT",
        "server.address": "127.0.0.1",
        "server.port": server.port,
      },
      status: { code: SpanStatusCode.ERROR, message: "division by zero: second_operand is 0" },
    });
    expect(serverTraceFields().spanId).toBe(span?.spanContext().spanId);
  });

  it("sends nothing and records nothing with openTelemetry: false", async () => {
    const calculator = createCalculatorClient(`127.0.0.1:${server.port}`, { openTelemetry: false });
    await trace.getTracer("test").startActiveSpan("caller", async (span) => {
      expect(await calculator.add(1, 1)).toBe(2);
      span.end();
    });
    calculator.close();
    expect(serverTraceFields()).toEqual({ trace: undefined, spanId: undefined });
  });
});

/**
 * The OpenTelemetry SDK, loaded (in its own bundle chunk) only when telemetry is on: turns each
 * FinishedCall into a SERVER span and metric points, and exports them over OTLP/HTTP.
 *
 * Names and attributes follow the RPC semantic conventions (v1.45.0, where they are stable):
 * https://opentelemetry.io/docs/specs/semconv/rpc/rpc-spans/ , .../rpc/grpc/ , .../rpc/connect-rpc/ ,
 * .../rpc/rpc-metrics/ :
 * - span `Calculator/Calculate` (kind SERVER), `rpc.system.name` `grpc` (gRPC; gRPC-Web, which is
 *   gRPC's protocol for browsers; REST, gRPC transcoding of the same method with its gRPC status) or
 *   `connectrpc` (the Connect protocol), `rpc.method`
 *   `Calculator/Calculate`, `rpc.response.status_code` (gRPC: `OK`, `INVALID_ARGUMENT`…; Connect: its
 *   lower-case code, on errors only), `network.protocol.name`/`.version`;
 * - span status ERROR and `error.type` (the status code) only for the codes the conventions count as
 *   server errors: UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS. A
 *   caller's mistake (INVALID_ARGUMENT, OUT_OF_RANGE…) or cancellation is not the server's error;
 * - `rpc.server.call.duration`: histogram, seconds, the conventions' buckets.
 * This server's own attributes: `calculator.protocol` (grpc, grpc-web, connect, rest), `calculator.served_by`
 * (direct, grpc-js, connect-es), `calculator.operations` (CalculateStream), and the gauge
 * `calculator.server.active_calls` by protocol.
 *
 * Never hurts calls: spans wait in the batch processor's bounded queue (OTEL_BSP_MAX_QUEUE_SIZE;
 * beyond it they are dropped and counted in `otel.sdk.processor.span.processed{error.type=queue_full}`),
 * exports run in the background with a timeout and a bounded number in flight, and what goes wrong
 * is logged at most once a minute.
 */
import { format } from "node:util";
import {
  diag,
  DiagLogLevel,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Tracer,
} from "@opentelemetry/api";
import { setGlobalErrorHandler, TraceState } from "@opentelemetry/core";
import { OTLPMetricExporter as JsonMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as ProtobufMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { OTLPTraceExporter as JsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtobufTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { CompressionAlgorithm } from "@opentelemetry/otlp-exporter-base";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from "@opentelemetry/sdk-metrics";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type IdGenerator,
  type Sampler,
  type SpanExporter,
} from "@opentelemetry/sdk-trace";
import type { OtlpExport, TelemetryConfig } from "../config.js";
import type { Logger } from "../logger.js";
import type { ActiveCalls, FinishedCall } from "./call-telemetry.js";
import { resourceAttributes } from "./resource.js";
import type { SpanIds } from "./trace-context.js";

export interface TelemetrySdk {
  record(call: FinishedCall): void;
  shutdown(timeoutMs: number): Promise<void>;
}

/** The conventions' bucket boundaries for rpc.server.call.duration (seconds). */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

const SERVER_ERRORS = new Set([
  "UNKNOWN",
  "DEADLINE_EXCEEDED",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
]);

/** The conventions' string for a status code: gRPC's name, or Connect's lower-case code (errors only). */
function statusCode(call: FinishedCall): string | undefined {
  if (call.protocol !== "connect") return call.codeName;
  return call.codeName === "OK" ? undefined : call.codeName.toLowerCase();
}

function sampler(config: TelemetryConfig): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.samplerRatio);
  switch (config.sampler) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return ratio;
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: ratio });
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/** Logs the SDK's warnings and export failures, at most one line a minute (with how many were not logged). */
function rateLimitedWarning(logger: Logger, intervalMs = 60_000): (message: string) => void {
  let last = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (message) => {
    const now = performance.now();
    if (now - last < intervalMs) {
      suppressed += 1;
      return;
    }
    last = now;
    logger.warn({ suppressed }, `telemetry: ${message}`);
    suppressed = 0;
  };
}

interface ExportAuth {
  readonly headers: () => Promise<Record<string, string>>;
  /** The project of Google's credentials, when they were used. */
  readonly projectId: string | undefined;
}

/** The exporter's headers: the configured ones, plus Google's access token for Google's endpoint. */
async function authFor(target: OtlpExport): Promise<ExportAuth> {
  const configured = { ...target.headers };
  const google =
    /(^|\.)googleapis\.com$/.test(new URL(target.url).hostname) &&
    !Object.keys(configured).some((key) => key.toLowerCase() === "authorization");
  if (!google) return { headers: () => Promise.resolve(configured), projectId: undefined };
  const credentials = await (await import("./google-auth.js")).googleCredentials();
  return {
    headers: async () => ({ ...configured, ...(await credentials.headers()) }),
    projectId: credentials.projectId,
  };
}

function exporterOptions(
  target: OtlpExport,
  headers: () => Promise<Record<string, string>>,
  meterProvider: MeterProvider | undefined,
) {
  return {
    url: target.url,
    headers,
    timeoutMillis: target.timeoutMs,
    compression: target.compression === "gzip" ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
    ...(meterProvider === undefined ? {} : { selfObsMeterProvider: meterProvider }),
  };
}

export async function startSdk(
  config: TelemetryConfig,
  logger: Logger,
  active: ActiveCalls,
  googleCloudProject: string | undefined,
): Promise<TelemetrySdk> {
  const warn = rateLimitedWarning(logger);
  diag.setLogger(
    {
      error: (message, ...args) => warn(format(message, ...args)),
      warn: (message, ...args) => warn(format(message, ...args)),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  setGlobalErrorHandler((error) => warn(`export failed: ${error instanceof Error ? error.message : format(error)}`));

  const traceAuth = config.traces === undefined ? undefined : await authFor(config.traces);
  const metricAuth = config.metrics === undefined ? undefined : await authFor(config.metrics);
  const projectId = googleCloudProject ?? traceAuth?.projectId ?? metricAuth?.projectId;
  const resource = defaultResource().merge(resourceFromAttributes(resourceAttributes(config, projectId)));

  let meterProvider: MeterProvider | undefined;
  if (config.metrics !== undefined && metricAuth !== undefined) {
    const options = exporterOptions(config.metrics, metricAuth.headers, undefined);
    const exporter: PushMetricExporter =
      config.metrics.protocol === "http/json" ? new JsonMetricExporter(options) : new ProtobufMetricExporter(options);
    meterProvider = new MeterProvider({
      resource,
      readers: [
        new PeriodicExportingMetricReader({
          exporter,
          exportIntervalMillis: config.metricExportIntervalMs,
          exportTimeoutMillis: Math.min(config.metricExportTimeoutMs, config.metricExportIntervalMs),
        }),
      ],
    });
  }

  // The span of a call gets the ids its log lines already carry (call-telemetry.ts chose them as the
  // call started): the tracer asks this generator for a span id, and for a trace id when the span is a
  // root, synchronously inside startSpan.
  let ids: SpanIds | undefined;
  const idGenerator: IdGenerator = {
    generateTraceId: () => ids!.traceId,
    generateSpanId: () => ids!.spanId,
  };
  let tracer: Tracer | undefined;
  let tracerProvider: TracerProvider | undefined;
  if (config.traces !== undefined && traceAuth !== undefined) {
    const options = exporterOptions(config.traces, traceAuth.headers, meterProvider);
    const exporter: SpanExporter =
      config.traces.protocol === "http/json" ? new JsonTraceExporter(options) : new ProtobufTraceExporter(options);
    tracerProvider = new TracerProvider({
      resource,
      sampler: sampler(config),
      idGenerator,
      spanProcessors: [
        new BatchSpanProcessor({
          exporter,
          maxQueueSize: config.batch.maxQueueSize,
          maxExportBatchSize: config.batch.maxExportBatchSize,
          scheduledDelayMillis: config.batch.scheduleDelayMs,
          exportTimeoutMillis: config.batch.exportTimeoutMs,
          ...(meterProvider === undefined ? {} : { selfObsMeterProvider: meterProvider }),
        }),
      ],
    });
    tracer = tracerProvider.getTracer("@grpc-calculator/server");
  }

  const meter = meterProvider?.getMeter("@grpc-calculator/server");
  const duration = meter?.createHistogram("rpc.server.call.duration", {
    description: "Duration of incoming RPCs, from their headers' arrival to their status",
    unit: "s",
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  meter
    ?.createObservableUpDownCounter("calculator.server.active_calls", {
      description: "Calls in flight, by the protocol that carries them",
      unit: "{call}",
    })
    .addCallback((result) => {
      for (const [protocol, count] of Object.entries(active))
        result.observe(count, { "calculator.protocol": protocol });
    });

  // Attributes of a metric point: few combinations (protocol × method × status), each built once.
  const metricAttributes = new Map<string, Attributes>();
  const callAttributes = (call: FinishedCall): Attributes => {
    const key = `${call.protocol} ${call.method.path} ${call.code}`;
    let attributes = metricAttributes.get(key);
    if (attributes === undefined) {
      const code = statusCode(call);
      attributes = {
        "rpc.system.name": call.protocol === "connect" ? "connectrpc" : "grpc",
        "rpc.method": call.method.path.slice(1),
        ...(code === undefined ? {} : { "rpc.response.status_code": code }),
        ...(SERVER_ERRORS.has(call.codeName) ? { "error.type": code } : {}),
        "calculator.protocol": call.protocol,
      };
      metricAttributes.set(key, attributes);
    }
    return attributes;
  };
  const timeOrigin = performance.timeOrigin;
  const epochMs = (time: number) => timeOrigin + time;

  // What samplers see at span creation: the conventions ask for rpc.system.name there. Built once per
  // protocol and method; the rest is added only to spans that are recorded (sampled).
  const creationAttributes = new Map<string, Attributes>();
  const atCreation = (call: FinishedCall): Attributes => {
    const key = `${call.protocol} ${call.method.path}`;
    let attributes = creationAttributes.get(key);
    if (attributes === undefined) {
      attributes = {
        "rpc.system.name": call.protocol === "connect" ? "connectrpc" : "grpc",
        "rpc.method": call.method.path.slice(1),
        "calculator.protocol": call.protocol,
      };
      creationAttributes.set(key, attributes);
    }
    return attributes;
  };

  const recordSpan = (tracer: Tracer, call: FinishedCall, span: SpanIds): void => {
    const parent = call.parent;
    const context =
      parent?.spanId === undefined
        ? ROOT_CONTEXT
        : trace.setSpanContext(ROOT_CONTEXT, {
            traceId: parent.traceId,
            spanId: parent.spanId,
            traceFlags: parent.sampled ? 1 : 0,
            isRemote: true,
            ...(parent.traceState === undefined ? {} : { traceState: new TraceState(parent.traceState) }),
          });
    ids = span;
    const started = tracer.startSpan(
      call.method.path.slice(1),
      { kind: SpanKind.SERVER, startTime: epochMs(call.startTime), attributes: atCreation(call) },
      context,
    );
    ids = undefined;
    if (started.isRecording()) {
      started.setAttributes(callAttributes(call));
      started.setAttributes({
        "network.protocol.name": "http",
        "network.protocol.version": call.httpVersion,
        "calculator.served_by": call.servedBy,
      });
      if (call.operations !== undefined) started.setAttribute("calculator.operations", call.operations);
      if (SERVER_ERRORS.has(call.codeName))
        started.setStatus({ code: SpanStatusCode.ERROR, message: call.message ?? "" });
    }
    started.end(epochMs(call.endTime));
  };

  return {
    record(call) {
      if (tracer !== undefined && call.span !== undefined) recordSpan(tracer, call, call.span);
      duration?.record((call.endTime - call.startTime) / 1000, callAttributes(call));
    },
    async shutdown(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      const flushed = Promise.allSettled([tracerProvider?.shutdown(), meterProvider?.shutdown()]);
      await Promise.race([flushed, timeout]);
      clearTimeout(timer);
    },
  };
}

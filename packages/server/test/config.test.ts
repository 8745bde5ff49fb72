import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import type { OpenApiDocument } from "@grpc-calculator/rpc-server/openapi";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/index.js";

describe("parseConfig", () => {
  it("has production defaults", () => {
    expect(parseConfig({})).toEqual({
      port: 50051,
      host: undefined,
      logLevel: "info",
      shutdownGraceMs: 8000,
      tls: undefined,
      workers: 1,
      googleCloudProject: undefined,
      corsAllowedOrigins: new Set(),
      telemetry: undefined,
    });
  });

  it("listens by default on the port the contract's OpenAPI document offers for a local server", () => {
    const path = createRequire(import.meta.url).resolve("@grpc-calculator/proto/openapi.json");
    const document = JSON.parse(readFileSync(path, "utf8")) as OpenApiDocument;
    const local = document.servers.find((server) => server.url.startsWith("http://localhost:"));
    expect(local?.variables?.["port"]?.default).toBe(String(parseConfig({}).port));
  });

  it("reads every variable", () => {
    expect(
      parseConfig({
        PORT: "8080",
        HOST: "[::1]",
        LOG_LEVEL: "DEBUG",
        SHUTDOWN_GRACE_MS: "500",
        TLS_CERT_FILE: "/c.pem",
        TLS_KEY_FILE: "/k.pem",
        WORKERS: "auto",
        GOOGLE_CLOUD_PROJECT: "p",
        CORS_ALLOWED_ORIGINS: "https://App.example.com, http://localhost:5173,http://[::1]:8080",
      }),
    ).toEqual({
      port: 8080,
      host: "::1",
      logLevel: "debug",
      shutdownGraceMs: 500,
      tls: { certFile: "/c.pem", keyFile: "/k.pem" },
      workers: availableParallelism(),
      googleCloudProject: "p",
      corsAllowedOrigins: new Set(["https://app.example.com", "http://localhost:5173", "http://[::1]:8080"]),
      telemetry: undefined,
    });
  });

  it("reads CORS_ALLOWED_ORIGINS=* as any origin", () => {
    expect(parseConfig({ CORS_ALLOWED_ORIGINS: "*" }).corsAllowedOrigins).toBe("*");
  });

  it.each([
    [{ PORT: "abc" }, 'invalid PORT "abc": expected an integer from 0 to 65535'],
    [{ PORT: "65536" }, 'invalid PORT "65536"'],
    [{ PORT: "-1" }, 'invalid PORT "-1"'],
    [{ PORT: "80.5" }, 'invalid PORT "80.5"'],
    [{ LOG_LEVEL: "loud" }, 'invalid LOG_LEVEL "loud": expected one of trace, debug, info, warn, error, fatal, silent'],
    [{ SHUTDOWN_GRACE_MS: "soon" }, 'invalid SHUTDOWN_GRACE_MS "soon"'],
    [{ WORKERS: "0" }, 'invalid WORKERS "0": expected an integer from 1 to 256'],
    [{ TLS_CERT_FILE: "/c.pem" }, "TLS_CERT_FILE and TLS_KEY_FILE must be set together (TLS_KEY_FILE is missing)"],
    [{ HOST: "a b" }, 'invalid HOST "a b"'],
    [
      { CORS_ALLOWED_ORIGINS: "example.com" },
      'invalid CORS_ALLOWED_ORIGINS "example.com": "example.com" is not an origin',
    ],
    [{ CORS_ALLOWED_ORIGINS: "https://a.example/path" }, '"https://a.example/path" is not an origin'],
    [{ CORS_ALLOWED_ORIGINS: "https://a.example/" }, '"https://a.example/" is not an origin'],
    [{ CORS_ALLOWED_ORIGINS: "https://a.example,*" }, '"*" is not an origin'],
    [{ CORS_ALLOWED_ORIGINS: "ftp://a.example" }, '"ftp://a.example" is not an origin'],
    [{ OTEL_TRACES_EXPORTER: "zipkin" }, 'invalid OTEL_TRACES_EXPORTER "zipkin": expected otlp or none'],
    [{ OTEL_METRICS_EXPORTER: "prometheus" }, 'invalid OTEL_METRICS_EXPORTER "prometheus": expected otlp or none'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "localhost:4318" }, "expected an http:// or https:// URL"],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "not a url" }, 'invalid OTEL_EXPORTER_OTLP_TRACES_ENDPOINT "not a url"'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }, "grpc is not supported: this server exports over OTLP/HTTP"],
    [{ OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: "http/xml" }, 'invalid OTEL_EXPORTER_OTLP_METRICS_PROTOCOL "http/xml"'],
    [{ OTEL_EXPORTER_OTLP_HEADERS: "api-key" }, 'invalid OTEL_EXPORTER_OTLP_HEADERS: "api-key" is not key=value'],
    [{ OTEL_EXPORTER_OTLP_HEADERS: "a b=c" }, '"a b=c" is not key=value'],
    [{ OTEL_EXPORTER_OTLP_HEADERS: "k=%zz" }, '"k=%zz" is not key=value'],
    [{ OTEL_RESOURCE_ATTRIBUTES: "cloud.region" }, 'invalid OTEL_RESOURCE_ATTRIBUTES: "cloud.region" is not key=value'],
    [{ OTEL_TRACES_SAMPLER: "sometimes" }, 'invalid OTEL_TRACES_SAMPLER "sometimes": expected one of'],
    [{ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "1.5" }, "expected a sampling ratio from 0 to 1"],
    [{ OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "ten" }, "OTEL_TRACES_SAMPLER_ARG"],
    [{ OTEL_BSP_MAX_QUEUE_SIZE: "0" }, 'invalid OTEL_BSP_MAX_QUEUE_SIZE "0": expected an integer from 1'],
    [{ OTEL_BSP_SCHEDULE_DELAY: "5s" }, 'invalid OTEL_BSP_SCHEDULE_DELAY "5s"'],
    [{ OTEL_BSP_EXPORT_TIMEOUT: "-1" }, 'invalid OTEL_BSP_EXPORT_TIMEOUT "-1"'],
    [
      { OTEL_BSP_MAX_QUEUE_SIZE: "100", OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "200" },
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE "200": must not exceed OTEL_BSP_MAX_QUEUE_SIZE (100)',
    ],
    [{ OTEL_METRIC_EXPORT_INTERVAL: "1m" }, 'invalid OTEL_METRIC_EXPORT_INTERVAL "1m"'],
    [{ OTEL_SDK_DISABLED: "yes" }, 'invalid OTEL_SDK_DISABLED "yes": expected one of false, true'],
    [{ OTEL_EXPORTER_OTLP_TIMEOUT: "0" }, 'invalid OTEL_EXPORTER_OTLP_TIMEOUT "0"'],
    [{ OTEL_EXPORTER_OTLP_COMPRESSION: "br" }, 'invalid OTEL_EXPORTER_OTLP_COMPRESSION "br"'],
  ])("rejects %o", (env, message) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(message);
  });
});

describe("parseConfig: OpenTelemetry (OTEL_*)", () => {
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" };

  it("is off without an exporter or endpoint, and with OTEL_SDK_DISABLED=true or both exporters none", () => {
    expect(parseConfig({ OTEL_SERVICE_NAME: "x", OTEL_TRACES_SAMPLER: "always_on" }).telemetry).toBeUndefined();
    expect(parseConfig({ ...endpoint, OTEL_SDK_DISABLED: "TRUE" }).telemetry).toBeUndefined();
    expect(
      parseConfig({ ...endpoint, OTEL_TRACES_EXPORTER: "none", OTEL_METRICS_EXPORTER: "none" }).telemetry,
    ).toBeUndefined();
  });

  it("has the specification's defaults once an endpoint is set", () => {
    expect(parseConfig(endpoint).telemetry).toEqual({
      traces: {
        url: "http://collector:4318/v1/traces",
        protocol: "http/protobuf",
        headers: {},
        timeoutMs: 10_000,
        compression: "none",
      },
      metrics: {
        url: "http://collector:4318/v1/metrics",
        protocol: "http/protobuf",
        headers: {},
        timeoutMs: 10_000,
        compression: "none",
      },
      sampler: "parentbased_always_on",
      samplerRatio: 1,
      batch: { scheduleDelayMs: 5000, exportTimeoutMs: 30_000, maxQueueSize: 2048, maxExportBatchSize: 512 },
      metricExportIntervalMs: 60_000,
      metricExportTimeoutMs: 30_000,
      serviceName: undefined,
      resourceAttributes: {},
      cloudRun: undefined,
    });
  });

  it("exports to localhost:4318 when only an exporter is named", () => {
    const telemetry = parseConfig({ OTEL_TRACES_EXPORTER: "otlp" }).telemetry;
    expect(telemetry?.traces?.url).toBe("http://localhost:4318/v1/traces");
    expect(telemetry?.metrics).toBeUndefined();
  });

  it("reads every variable, per-signal ones over the general ones", () => {
    const telemetry = parseConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: "https://telemetry.googleapis.com/",
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "http://metrics:9090/otlp/v1/metrics",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/protobuf",
      OTEL_EXPORTER_OTLP_HEADERS: "x-team=calc, x-token=a%3Db",
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: "x-token=metrics",
      OTEL_EXPORTER_OTLP_TIMEOUT: "2500",
      OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: "gzip",
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.1",
      OTEL_BSP_SCHEDULE_DELAY: "1000",
      OTEL_BSP_EXPORT_TIMEOUT: "5000",
      OTEL_BSP_MAX_QUEUE_SIZE: "4096",
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "1024",
      OTEL_METRIC_EXPORT_INTERVAL: "10000",
      OTEL_METRIC_EXPORT_TIMEOUT: "5000",
      OTEL_SERVICE_NAME: "calc",
      OTEL_RESOURCE_ATTRIBUTES: "cloud.region=europe-west1,deployment.environment.name=prod%20eu",
      K_SERVICE: "grpc-calculator",
      K_REVISION: "grpc-calculator-00002-xyz",
      K_CONFIGURATION: "grpc-calculator",
    }).telemetry;
    expect(telemetry).toMatchObject({
      traces: {
        url: "https://telemetry.googleapis.com/v1/traces",
        protocol: "http/protobuf",
        headers: { "x-team": "calc", "x-token": "a=b" },
        timeoutMs: 2500,
        compression: "gzip",
      },
      metrics: {
        url: "http://metrics:9090/otlp/v1/metrics",
        protocol: "http/json",
        headers: { "x-team": "calc", "x-token": "metrics" },
        compression: "none",
      },
      sampler: "parentbased_traceidratio",
      samplerRatio: 0.1,
      batch: { scheduleDelayMs: 1000, exportTimeoutMs: 5000, maxQueueSize: 4096, maxExportBatchSize: 1024 },
      metricExportIntervalMs: 10_000,
      metricExportTimeoutMs: 5000,
      serviceName: "calc",
      resourceAttributes: { "cloud.region": "europe-west1", "deployment.environment.name": "prod eu" },
      cloudRun: { service: "grpc-calculator", revision: "grpc-calculator-00002-xyz", configuration: "grpc-calculator" },
    });
  });

  it("keeps one signal when the other's exporter is none", () => {
    const telemetry = parseConfig({ ...endpoint, OTEL_METRICS_EXPORTER: "none" }).telemetry;
    expect(telemetry?.traces).toBeDefined();
    expect(telemetry?.metrics).toBeUndefined();
  });
});

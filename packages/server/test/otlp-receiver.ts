// A local OTLP/HTTP receiver for the telemetry tests: a loopback HTTP server that accepts
// POST /v1/traces and /v1/metrics, in protobuf or JSON, gzip'd or not, chunked or not, and decodes
// what arrives into plain spans and metric points. It can also answer 500 or never answer.
//
// Decoding: no npm package ships a decoder of OTLP requests (the SDK's otlp-transformer only encodes),
// so protobuf is read with @bufbuild/protobuf's BinaryReader field by field, after opentelemetry-proto
// (opentelemetry/proto/{collector,trace,metrics,common,resource}/v1/*.proto); JSON (OTLP/JSON: camelCase,
// hex ids) is read as it is. test/telemetry.test.ts runs the same calls through both encodings and
// expects the same decoded spans, so each decoder checks the other.
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { gunzipSync } from "node:zlib";
import { BinaryReader } from "@bufbuild/protobuf/wire";

export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly traceState: string;
  readonly name: string;
  /** 2 = SERVER */
  readonly kind: number;
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
  readonly attributes: Attributes;
  /** 0 unset, 1 ok, 2 error */
  readonly status: { readonly code: number; readonly message: string };
  readonly resource: Attributes;
}

export interface ReceivedPoint {
  readonly metric: string;
  readonly unit: string;
  readonly attributes: Attributes;
  /** Histograms: how many values, and the bucket boundaries. */
  readonly count?: number;
  readonly bounds?: number[];
  /** Sums and gauges. */
  readonly value?: number;
  readonly resource: Attributes;
}

export type ReceiverMode = "ok" | "error" | "hang";

export interface OtlpReceiver {
  readonly url: string;
  readonly spans: ReceivedSpan[];
  /** Every metric point of every export (cumulative sums repeat across exports). */
  readonly points: ReceivedPoint[];
  /** Requests by content type, e.g. { "application/x-protobuf": 3 }. */
  readonly requests: Record<string, number>;
  mode: ReceiverMode;
  /** Resolves once `predicate` holds (checked after every request), rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

// --- protobuf ------------------------------------------------------------------------------------

/** Reads a message's fields: `field(number, reader)` must consume the field or return false to skip it. */
function fields(bytes: Uint8Array, field: (no: number, reader: BinaryReader) => boolean): void {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [no, wireType] = reader.tag();
    if (!field(no, reader)) reader.skip(wireType, no);
  }
}

function anyValue(bytes: Uint8Array): AttributeValue {
  let value: AttributeValue = "";
  fields(bytes, (no, r) => {
    if (no === 1) value = r.string();
    else if (no === 2) value = r.bool();
    else if (no === 3) value = Number(r.int64());
    else if (no === 4) value = r.double();
    else return false;
    return true;
  });
  return value;
}

function keyValue(bytes: Uint8Array, into: Attributes): void {
  let key = "";
  let value: AttributeValue = "";
  fields(bytes, (no, r) => {
    if (no === 1) key = r.string();
    else if (no === 2) value = anyValue(r.bytes());
    else return false;
    return true;
  });
  into[key] = value;
}

/** Resource: repeated KeyValue attributes = 1. */
function resource(bytes: Uint8Array): Attributes {
  const attributes: Attributes = {};
  fields(bytes, (no, r) => (no === 1 ? (keyValue(r.bytes(), attributes), true) : false));
  return attributes;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** Span: trace_id 1, span_id 2, trace_state 3, parent_span_id 4, name 5, kind 6, start 7, end 8, attributes 9, status 15. */
function span(bytes: Uint8Array, resourceAttributes: Attributes): ReceivedSpan {
  const s = {
    traceId: "",
    spanId: "",
    parentSpanId: "",
    traceState: "",
    name: "",
    kind: 0,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    attributes: {} as Attributes,
    status: { code: 0, message: "" },
    resource: resourceAttributes,
  };
  fields(bytes, (no, r) => {
    if (no === 1) s.traceId = hex(r.bytes());
    else if (no === 2) s.spanId = hex(r.bytes());
    else if (no === 3) s.traceState = r.string();
    else if (no === 4) s.parentSpanId = hex(r.bytes());
    else if (no === 5) s.name = r.string();
    else if (no === 6) s.kind = r.int32();
    else if (no === 7) s.startTimeUnixNano = BigInt(r.fixed64());
    else if (no === 8) s.endTimeUnixNano = BigInt(r.fixed64());
    else if (no === 9) keyValue(r.bytes(), s.attributes);
    else if (no === 15) {
      // Status: message 2, code 3.
      fields(r.bytes(), (n, sr) => {
        if (n === 2) s.status.message = sr.string();
        else if (n === 3) s.status.code = sr.int32();
        else return false;
        return true;
      });
    } else return false;
    return true;
  });
  return s;
}

/**
 * The shape both requests share: ExportTraceServiceRequest / ExportMetricsServiceRequest hold
 * Resource{Spans,Metrics} (field 1), each a resource (1) and Scope{Spans,Metrics} (2), each holding
 * its spans or metrics in field 2.
 */
function eachItem(body: Uint8Array, item: (bytes: Uint8Array, resource: Attributes) => void): void {
  fields(body, (no, r) => {
    if (no !== 1) return false;
    let attributes: Attributes = {};
    const scopes: Uint8Array[] = [];
    fields(r.bytes(), (n, rr) => {
      if (n === 1) attributes = resource(rr.bytes());
      else if (n === 2) scopes.push(rr.bytes());
      else return false;
      return true;
    });
    for (const scope of scopes) fields(scope, (n, sr) => (n === 2 ? (item(sr.bytes(), attributes), true) : false));
    return true;
  });
}

function decodeTraces(body: Uint8Array): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  eachItem(body, (bytes, attributes) => spans.push(span(bytes, attributes)));
  return spans;
}

/** HistogramDataPoint: count 4, explicit_bounds 7, attributes 9; NumberDataPoint: as_double 4, as_int 6, attributes 7. */
function dataPoint(bytes: Uint8Array, histogram: boolean) {
  const point: { attributes: Attributes; count?: number; bounds?: number[]; value?: number } = { attributes: {} };
  fields(bytes, (no, r) => {
    if (histogram && no === 4) point.count = Number(r.fixed64());
    else if (histogram && no === 7) {
      const packed = new BinaryReader(r.bytes());
      point.bounds = [];
      while (packed.pos < packed.len) point.bounds.push(packed.double());
    } else if (histogram && no === 9) keyValue(r.bytes(), point.attributes);
    else if (!histogram && no === 4) point.value = r.double();
    else if (!histogram && no === 6) point.value = Number(r.sfixed64());
    else if (!histogram && no === 7) keyValue(r.bytes(), point.attributes);
    else return false;
    return true;
  });
  return point;
}

/** Metric: name 1, unit 3, gauge 5, sum 7, histogram 9 (each: data_points 1). */
function metric(bytes: Uint8Array, resourceAttributes: Attributes, into: ReceivedPoint[]): void {
  let name = "";
  let unit = "";
  const data: [Uint8Array, boolean][] = [];
  fields(bytes, (no, r) => {
    if (no === 1) name = r.string();
    else if (no === 3) unit = r.string();
    else if (no === 5 || no === 7 || no === 9) data.push([r.bytes(), no === 9]);
    else return false;
    return true;
  });
  for (const [body, histogram] of data) {
    fields(body, (no, r) => {
      if (no !== 1) return false;
      into.push({ metric: name, unit, resource: resourceAttributes, ...dataPoint(r.bytes(), histogram) });
      return true;
    });
  }
}

function decodeMetrics(body: Uint8Array): ReceivedPoint[] {
  const points: ReceivedPoint[] = [];
  eachItem(body, (bytes, attributes) => metric(bytes, attributes, points));
  return points;
}

// --- JSON ----------------------------------------------------------------------------------------

interface JsonKeyValue {
  key: string;
  value: { stringValue?: string; boolValue?: boolean; intValue?: string | number; doubleValue?: number };
}

function jsonAttributes(list: JsonKeyValue[] | undefined): Attributes {
  const attributes: Attributes = {};
  for (const { key, value } of list ?? []) {
    attributes[key] = value.stringValue ?? value.boolValue ?? value.intValue ?? value.doubleValue ?? 0;
    if (value.intValue !== undefined) attributes[key] = Number(value.intValue);
  }
  return attributes;
}

/** OTLP/JSON, as much of it as the tests read. */
interface JsonResource {
  attributes?: JsonKeyValue[];
}
interface JsonTraces {
  resourceSpans?: {
    resource?: JsonResource;
    scopeSpans?: {
      spans?: {
        traceId?: string;
        spanId?: string;
        parentSpanId?: string;
        traceState?: string;
        name: string;
        kind: number;
        startTimeUnixNano: string | number;
        endTimeUnixNano: string | number;
        attributes?: JsonKeyValue[];
        status?: { code?: number; message?: string };
      }[];
    }[];
  }[];
}
interface JsonPoint {
  attributes?: JsonKeyValue[];
  count?: string | number;
  explicitBounds?: number[];
  asDouble?: number;
  asInt?: string | number;
}
interface JsonMetrics {
  resourceMetrics?: {
    resource?: JsonResource;
    scopeMetrics?: {
      metrics?: {
        name: string;
        unit?: string;
        histogram?: { dataPoints?: JsonPoint[] };
        sum?: { dataPoints?: JsonPoint[] };
        gauge?: { dataPoints?: JsonPoint[] };
      }[];
    }[];
  }[];
}

function jsonTraces(body: JsonTraces): ReceivedSpan[] {
  return (body.resourceSpans ?? []).flatMap((rs) =>
    (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((s): ReceivedSpan => ({
        traceId: s.traceId ?? "",
        spanId: s.spanId ?? "",
        parentSpanId: s.parentSpanId ?? "",
        traceState: s.traceState ?? "",
        name: s.name,
        kind: s.kind,
        startTimeUnixNano: BigInt(s.startTimeUnixNano),
        endTimeUnixNano: BigInt(s.endTimeUnixNano),
        attributes: jsonAttributes(s.attributes),
        status: { code: s.status?.code ?? 0, message: s.status?.message ?? "" },
        resource: jsonAttributes(rs.resource?.attributes),
      })),
    ),
  );
}

function jsonMetrics(body: JsonMetrics): ReceivedPoint[] {
  return (body.resourceMetrics ?? []).flatMap((rm) =>
    (rm.scopeMetrics ?? []).flatMap((sm) =>
      (sm.metrics ?? []).flatMap((m) => {
        const histogram = m.histogram !== undefined;
        const data = m.histogram ?? m.sum ?? m.gauge;
        return (data?.dataPoints ?? []).map((p): ReceivedPoint => ({
          metric: m.name,
          unit: m.unit ?? "",
          resource: jsonAttributes(rm.resource?.attributes),
          attributes: jsonAttributes(p.attributes),
          ...(histogram
            ? { count: Number(p.count), bounds: p.explicitBounds ?? [] }
            : { value: Number(p.asDouble ?? p.asInt) }),
        }));
      }),
    ),
  );
}

// --- the server ----------------------------------------------------------------------------------

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return request.headers["content-encoding"] === "gzip" ? gunzipSync(body) : body;
}

export async function startOtlpReceiver(mode: ReceiverMode = "ok"): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const points: ReceivedPoint[] = [];
  const requests: Record<string, number> = {};
  const listeners = new Set<() => void>();
  const server: Server = createServer((request, response) => {
    void bodyOf(request).then((body) => {
      const type = String(request.headers["content-type"]).split(";")[0] ?? "";
      requests[type] = (requests[type] ?? 0) + 1;
      if (receiver.mode !== "ok") {
        // "hang" never answers: the exporter's timeout has to end the request.
        if (receiver.mode === "error") response.writeHead(500).end("receiver told to fail");
        for (const listener of [...listeners]) listener();
        return;
      }
      const json = type === "application/json";
      const parsed = (json ? JSON.parse(body.toString("utf8")) : {}) as JsonTraces & JsonMetrics;
      if (request.url === "/v1/traces") spans.push(...(json ? jsonTraces(parsed) : decodeTraces(body)));
      else if (request.url === "/v1/metrics") points.push(...(json ? jsonMetrics(parsed) : decodeMetrics(body)));
      response.writeHead(200, { "content-type": type }).end(json ? "{}" : undefined);
      for (const listener of [...listeners]) listener();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");

  const receiver: OtlpReceiver = {
    url: `http://127.0.0.1:${address.port}`,
    spans,
    points,
    requests,
    mode,
    waitFor(predicate, timeoutMs = 10_000) {
      if (predicate()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`the OTLP receiver did not get what was expected within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          if (!predicate()) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}

// The trace headers as src/telemetry/trace-context.ts reads them, against the OpenTelemetry SDK's own
// W3C propagator on the same headers (the parser is plain code so it runs before the SDK loads).
import { ROOT_CONTEXT, trace, type TextMapGetter } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { describe, expect, it } from "vitest";
import { newSpanId, newTraceId, traceContextFrom } from "../src/telemetry/trace-context.js";

const lookup = (headers: Record<string, string>) => (name: string) => headers[name];
const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";

function viaSdk(headers: Record<string, string>) {
  const getter: TextMapGetter<Record<string, string>> = {
    get: (carrier, key) => carrier[key],
    keys: (carrier) => Object.keys(carrier),
  };
  const context = new W3CTraceContextPropagator().extract(ROOT_CONTEXT, headers, getter);
  const span = trace.getSpanContext(context);
  return span === undefined
    ? undefined
    : {
        traceId: span.traceId,
        spanId: span.spanId,
        sampled: (span.traceFlags & 1) === 1,
        traceState: span.traceState?.serialize(),
      };
}

describe("traceparent, as the W3C propagator reads it", () => {
  it.each([
    `00-${TRACE}-${SPAN}-01`,
    `00-${TRACE}-${SPAN}-00`,
    `01-${TRACE}-${SPAN}-03-future-field`,
    ` 00-${TRACE}-${SPAN}-01 `,
    `00-${TRACE}-${SPAN}-01-extra`,
    `ff-${TRACE}-${SPAN}-01`,
    `00-${"0".repeat(32)}-${SPAN}-01`,
    `00-${TRACE}-${"0".repeat(16)}-01`,
    `00-${TRACE.toUpperCase()}-${SPAN}-01`,
    `00-${TRACE}-${SPAN}`,
    "garbage",
  ])("%s", (traceparent) => {
    const headers = { traceparent, tracestate: "vendor=opaque" };
    const ours = traceContextFrom(lookup(headers));
    const sdk = viaSdk(headers);
    expect(ours === undefined ? undefined : { ...ours, traceState: ours.traceState }).toEqual(sdk);
  });
});

describe("the other headers", () => {
  it("grpc-trace-bin: OpenCensus's binary format", () => {
    const bin = Buffer.concat([
      Buffer.from([0, 0]),
      Buffer.from(TRACE, "hex"),
      Buffer.from([1]),
      Buffer.from(SPAN, "hex"),
      Buffer.from([2, 1]),
    ]);
    expect(traceContextFrom(lookup({ "grpc-trace-bin": bin.toString("base64") }))).toEqual({
      traceId: TRACE,
      spanId: SPAN,
      sampled: true,
      traceState: undefined,
    });
    expect(traceContextFrom(lookup({ "grpc-trace-bin": Buffer.from([1, 2, 3]).toString("base64") }))).toBeUndefined();
  });

  it("X-Cloud-Trace-Context: decimal span id, o=1 sampled, the trace alone without a span", () => {
    expect(traceContextFrom(lookup({ "x-cloud-trace-context": `${TRACE.toUpperCase()}/12345;o=1` }))).toEqual({
      traceId: TRACE,
      spanId: "0000000000003039",
      sampled: true,
      traceState: undefined,
    });
    expect(traceContextFrom(lookup({ "x-cloud-trace-context": TRACE }))).toMatchObject({
      spanId: undefined,
      sampled: false,
    });
  });

  it("traceparent wins over grpc-trace-bin, which wins over X-Cloud-Trace-Context", () => {
    const cloud = { "x-cloud-trace-context": "105445aa7843bc8bf206b12000100000/1;o=1" };
    const bin = Buffer.concat([Buffer.from([0, 0]), Buffer.alloc(16, 7), Buffer.from([1]), Buffer.alloc(8, 9)]);
    const census = { ...cloud, "grpc-trace-bin": bin.toString("base64") };
    expect(traceContextFrom(lookup(census))?.traceId).toBe("07".repeat(16));
    expect(traceContextFrom(lookup({ ...census, traceparent: `00-${TRACE}-${SPAN}-01` }))?.traceId).toBe(TRACE);
  });

  it("new ids are random hex of the right length", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newSpanId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[\da-f]{16}$/);
    expect(newTraceId()).toMatch(/^[\da-f]{32}$/);
  });
});

/**
 * A call's trace context, read from its request headers, and fresh span ids. Plain code over the
 * call's header lookup rather than the OpenTelemetry propagators: the log lines need it on every call
 * whether or not tracing is on, and calls that arrive before the SDK has loaded need it too (the SDK
 * loads after the server is ready). test/trace-context.test.ts runs the same headers through
 * @opentelemetry/core's W3CTraceContextPropagator and checks both agree.
 *
 * Formats, in the order they win:
 * - W3C Trace Context `traceparent` (+ `tracestate`): https://www.w3.org/TR/trace-context/
 * - OpenCensus's binary `grpc-trace-bin`, which gRPC's OpenCensus plugins send: version 0, then
 *   field 0 (16-byte trace id), field 1 (8-byte span id), field 2 (1 byte of options, bit 0 sampled).
 * - Google's `X-Cloud-Trace-Context: TRACE_ID[/SPAN_ID][;o=OPTIONS]`, span id in decimal.
 */
import { randomFillSync } from "node:crypto";
import type { HeaderLookup, SpanIds } from "@grpc-calculator/rpc-server";

/** A span's identity: 32 and 16 lower-case hex digits (the engine's CallContext carries it). */
export type { SpanIds };

/** The caller's side of the trace. `spanId` is missing when the header named only a trace (X-Cloud-Trace-Context). */
export interface RemoteTraceContext {
  readonly traceId: string;
  readonly spanId: string | undefined;
  readonly sampled: boolean;
  /** The W3C `tracestate` header, as received. */
  readonly traceState: string | undefined;
}

const TRACEPARENT = /^([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})(-|$)/;
const CLOUD_TRACE_CONTEXT = /^([\da-f]{32})(?:\/(\d+))?(?:;o=(\d+))?/i;
const ZEROS = /^0+$/;

function w3c(header: HeaderLookup): RemoteTraceContext | undefined {
  const value = header("traceparent")?.trim();
  const match = value === undefined ? null : TRACEPARENT.exec(value);
  if (match === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  // Version ff is invalid; version 00 has exactly four fields; later versions may append more after a "-".
  if (version === "ff" || (version === "00" && rest !== "") || ZEROS.test(traceId) || ZEROS.test(spanId)) {
    return undefined;
  }
  const traceState = header("tracestate");
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1, traceState };
}

function census(header: HeaderLookup): RemoteTraceContext | undefined {
  const value = header("grpc-trace-bin");
  if (value === undefined) return undefined;
  const bytes = Buffer.from(value, "base64");
  if (bytes.length < 27 || bytes[0] !== 0 || bytes[1] !== 0 || bytes[18] !== 1) return undefined;
  const traceId = bytes.toString("hex", 2, 18);
  const spanId = bytes.toString("hex", 19, 27);
  if (ZEROS.test(traceId) || ZEROS.test(spanId)) return undefined;
  const sampled = bytes.length >= 29 && bytes[27] === 2 && ((bytes[28] ?? 0) & 1) === 1;
  return { traceId, spanId, sampled, traceState: undefined };
}

function cloudTrace(header: HeaderLookup): RemoteTraceContext | undefined {
  const value = header("x-cloud-trace-context");
  const match = value === undefined ? null : CLOUD_TRACE_CONTEXT.exec(value);
  if (match?.[1] === undefined || ZEROS.test(match[1])) return undefined;
  const decimal = match[2] === undefined ? 0n : BigInt.asUintN(64, BigInt(match[2]));
  return {
    traceId: match[1].toLowerCase(),
    spanId: decimal === 0n ? undefined : decimal.toString(16).padStart(16, "0"),
    sampled: match[3] !== undefined && (Number(match[3]) & 1) === 1,
    traceState: undefined,
  };
}

/** The trace context a call's headers carry, or undefined when none of them holds a valid one. */
export function traceContextFrom(header: HeaderLookup): RemoteTraceContext | undefined {
  return w3c(header) ?? census(header) ?? cloudTrace(header);
}

// Ids come from a pool of random bytes, refilled 4 KiB at a time: one crypto call per ~170 spans.
const pool = Buffer.alloc(4096);
let used = pool.length;

function randomHex(bytes: number): string {
  for (;;) {
    if (used + bytes > pool.length) {
      randomFillSync(pool);
      used = 0;
    }
    const hex = pool.toString("hex", used, (used += bytes));
    if (!ZEROS.test(hex)) return hex;
  }
}

/** A new span id (16 hex digits, never all zeros). */
export function newSpanId(): string {
  return randomHex(8);
}

/** A new trace id (32 hex digits, never all zeros). */
export function newTraceId(): string {
  return randomHex(16);
}

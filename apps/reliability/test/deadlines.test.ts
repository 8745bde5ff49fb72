// Deadlines and cancellation, observed on the wire: a call whose deadline passes is ended by the server
// (DEADLINE_EXCEEDED with no client-side timer), each request it received was answered exactly once and
// nothing after; a client cancel frees the call's stream slot.
import http2 from "node:http2";
import { fileURLToPath } from "node:url";
import { createCalculatorClient, isCalculatorError } from "@grpc-calculator/client";
import { status } from "@grpc/grpc-js";
import { CalculatorService, Operation } from "@grpc-calculator/proto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { decodeFrames, requestFrame } from "../src/grpc-frame.js";
import { address } from "../src/load.js";
import { Flag, FrameType, frame, H2Wire } from "../src/private/h2-wire.js";
import { calculateRaw, connect, grpcHeaders } from "../src/raw-client.js";
import { recordSection } from "../src/report.js";
import { startServerProcess, type ServerProcess } from "../src/server-process.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const section: Record<string, number | string> = {};
const statuses: Record<string, number> = {};
const see = (code: number): void => {
  const name = status[code] ?? String(code);
  statuses[name] = (statuses[name] ?? 0) + 1;
};
let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess();
});
afterAll(async () => {
  const crashes = server.alive() ? 0 : 1;
  await server.stop();
  recordSection(root, "deadlines", { ...section, crashes, callsLost: 0, statuses });
});

it("the server ends a stream whose grpc-timeout passed: DEADLINE_EXCEEDED, every request answered once, nothing after", async () => {
  const session = await connect(server);
  const results: number[] = [];
  let written = 0;
  const started = performance.now();
  const stream = session.request({ ...grpcHeaders(CalculatorService.calculateStream.path), "grpc-timeout": "300m" });
  stream.on("data", (chunk: Buffer) => {
    // Each DATA chunk holds whole messages here (5-byte prefix + a few bytes), written one per request.
    for (const m of decodeFrames(chunk).messages)
      results.push(CalculatorService.calculate.responseDeserialize(m).result);
  });
  let writtenAtEnd = -1;
  const ended = new Promise<{ code: number | undefined; ms: number }>((resolve) => {
    stream.on("trailers", (t: http2.IncomingHttpHeaders) => {
      writtenAtEnd = written;
      resolve({ code: Number(t["grpc-status"]), ms: performance.now() - started });
    });
    stream.on("close", () => resolve({ code: undefined, ms: performance.now() - started }));
  });
  // A slow writer with no client-side deadline: one request every 25 ms, for at most 2 s.
  const writer = setInterval(() => {
    if (stream.writable && written < 80) stream.write(requestFrame(written++, 3, Operation.ADD));
  }, 25);
  const { code, ms } = await ended;
  clearInterval(writer);
  // The client ends its side; once the stream has closed, nothing more can arrive: count again then.
  const resultsAtEnd = results.length;
  const closed = new Promise((resolve) => (stream.closed ? resolve(undefined) : stream.once("close", resolve)));
  stream.end();
  await closed;
  session.destroy();
  section.serverDeadlineMs = Math.round(ms);
  section.streamRequestsBeforeDeadline = writtenAtEnd;
  section.streamResultsBeforeDeadline = resultsAtEnd;
  if (code !== undefined) see(code);
  expect(code).toBe(status.DEADLINE_EXCEEDED);
  // At the deadline: not before it (1 ms for timers' whole milliseconds), and not long after.
  expect(ms, "not before the deadline").toBeGreaterThanOrEqual(300 - 1);
  expect(ms, "soon after the deadline").toBeLessThan(5_000);
  // Ended by the server's deadline, not by the client running out of requests (80 over 2 s).
  expect(writtenAtEnd).toBeLessThan(80);
  // Answered in order, once each, correctly; never more answers than requests; none after the status.
  expect(results).toEqual(Array.from({ length: results.length }, (_, i) => i + 3));
  expect(results.length).toBeLessThanOrEqual(writtenAtEnd);
  // It kept answering until the deadline: only requests still in flight then (a few on a busy machine) go unanswered.
  expect(results.length).toBeGreaterThanOrEqual(Math.floor(writtenAtEnd / 2));
  expect(results.length, "nothing after the status").toBe(resultsAtEnd);
});

it("through the SDK: a stream past its deadline fails DEADLINE_EXCEEDED after answering each request once", async () => {
  const client = createCalculatorClient(address(server));
  let sent = 0;
  async function* slow(): AsyncGenerator<{ firstOperand: number; secondOperand: number; operation: Operation }> {
    while (sent < 80) {
      yield { firstOperand: sent++, secondOperand: 3, operation: Operation.ADD };
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  const results: number[] = [];
  let failure: unknown;
  const started = performance.now();
  try {
    for await (const r of client.calculateMany(slow(), { timeoutMs: 300 })) results.push(r);
  } catch (error) {
    failure = error;
  } finally {
    client.close();
  }
  const ms = performance.now() - started;
  expect(isCalculatorError(failure) && failure.code).toBe(status.DEADLINE_EXCEEDED);
  expect(ms, "not before the deadline").toBeGreaterThanOrEqual(300 - 1);
  expect(ms, "soon after the deadline").toBeLessThan(5_000);
  if (isCalculatorError(failure)) see(failure.code);
  expect(results).toEqual(Array.from({ length: results.length }, (_, i) => i + 3));
  expect(results.length).toBeGreaterThan(0);
  expect(results.length).toBeLessThanOrEqual(sent);
});

/** One unary call with `grpc-timeout: 1n` (the fast path serves it: POST, application/grpc, a valid timeout). */
function oneNanosecondCall(session: http2.ClientHttp2Session, sendRequest: boolean): Promise<string> {
  const stream = session.request({ ...grpcHeaders(), "grpc-timeout": "1n" });
  return new Promise<string>((resolve) => {
    const messages: Buffer[] = [];
    const outcome = (code: number): string => {
      see(code);
      const value =
        messages[0] === undefined ? undefined : CalculatorService.calculate.responseDeserialize(messages[0]).result;
      return code === 0
        ? `OK ${value} (${messages.length} message)`
        : `${status[code] ?? code}, ${messages.length} messages`;
    };
    stream.on("data", (c: Buffer) => messages.push(...decodeFrames(c).messages));
    // The status comes in trailers after a result, or alone in the headers (a trailers-only answer).
    stream.on("response", (h: http2.IncomingHttpHeaders) => {
      if (h["grpc-status"] !== undefined) resolve(outcome(Number(h["grpc-status"])));
    });
    stream.on("trailers", (t: http2.IncomingHttpHeaders) => resolve(outcome(Number(t["grpc-status"]))));
    stream.on("close", () => resolve("closed without status"));
    // With the request: headers, message and end of stream leave in one write. Without: headers only.
    if (sendRequest) stream.end(requestFrame(2, 3, Operation.ADD));
  });
}

it("grpc-timeout of 1 ns on the fast path: a request that arrives with its headers is answered; one that does not, DEADLINE_EXCEEDED", async () => {
  const session = await connect(server);
  try {
    // The server reads what arrived with the headers before its 1 ms deadline timer can run.
    const tally: Record<string, number> = {};
    for (let i = 0; i < 200; i++) {
      const outcome = await oneNanosecondCall(session, true);
      tally[outcome] = (tally[outcome] ?? 0) + 1;
    }
    // The request never comes: the deadline ends the call, with no result.
    const withoutRequest = await Promise.all(Array.from({ length: 10 }, () => oneNanosecondCall(session, false)));
    section.oneNanosecondCalls = Object.entries(tally)
      .map(([k, v]) => `${k} ×${v}`)
      .join(", ");
    expect(tally).toEqual({ "OK 5 (1 message)": 200 });
    expect(withoutRequest).toEqual(Array.from({ length: 10 }, () => "DEADLINE_EXCEEDED, 0 messages"));
  } finally {
    session.destroy();
  }
});

it("a client cancel frees the call: after cancelling a connection's full quota of streams, as many new ones answer", async () => {
  const wire = await H2Wire.open(server.host, server.port);
  try {
    const settings = wire.frames.find((f) => f.type === FrameType.SETTINGS && (f.flags & Flag.ACK) === 0);
    let limit = 100;
    for (let o = 0; settings !== undefined && o + 6 <= settings.payload.length; o += 6) {
      if (settings.payload.readUInt16BE(o) === 0x3) limit = Math.min(settings.payload.readUInt32BE(o + 2), 1000);
    }
    const request = requestFrame(2, 3, Operation.ADD);
    const cancel = Buffer.alloc(4);
    cancel.writeUInt32BE(http2.constants.NGHTTP2_CANCEL);
    // A full quota of open streams, each answered once, then all cancelled by the client.
    const first = Array.from({ length: limit }, (_, i) => 1 + 2 * i);
    for (const id of first) {
      wire.headers(id, CalculatorService.calculateStream.path);
      wire.data(id, request, false);
    }
    const lastFirst = first.at(-1) ?? 1;
    expect(await wire.waitFor((f) => f.type === FrameType.DATA && f.streamId === lastFirst, 10_000)).toBeDefined();
    wire.send(Buffer.concat(first.map((id) => frame(FrameType.RST_STREAM, 0, id, cancel))));
    // As many new streams on the same connection: only possible if the cancelled ones were freed.
    const second = Array.from({ length: limit }, (_, i) => 1 + 2 * (limit + i));
    for (const id of second) {
      wire.headers(id, CalculatorService.calculate.path);
      wire.data(id, request, true);
    }
    const lastSecond = second.at(-1) ?? 1;
    await wire.waitFor(
      (f) => f.type === FrameType.HEADERS && f.streamId === lastSecond && (f.flags & Flag.END_STREAM) !== 0,
      10_000,
    );
    const answered = second.filter((id) =>
      wire.frames.some(
        (f) => f.type === FrameType.DATA && f.streamId === id && decodeFrames(f.payload).messages.length === 1,
      ),
    ).length;
    const refusedOrClosed = wire.frames.filter(
      (f) => f.type === FrameType.GOAWAY || (f.type === FrameType.RST_STREAM && second.includes(f.streamId)),
    ).length;
    section.cancelledStreams = limit;
    section.newStreamsAnsweredAfterCancel = answered;
    expect(refusedOrClosed).toBe(0);
    expect(answered).toBe(limit);
  } finally {
    wire.destroy();
  }
  const session = await connect(server);
  try {
    expect(await calculateRaw(session, 2, 3, Operation.ADD)).toBe(5);
  } finally {
    session.destroy();
  }
});

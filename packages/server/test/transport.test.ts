// Transport-level behaviour: limits and abuse protection, seen by a raw HTTP/2 client.
import { connect, constants, type IncomingHttpHeaders } from "node:http2";
import { status } from "@grpc/grpc-js";
import { BinaryOperation, CalculationResult, Operation } from "@grpc-calculator/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { limits, type RunningServer } from "../src/index.js";
import { calculateOnce, calculatorClient, startTestServer } from "./helpers.js";
import { statusDetails, type Detail } from "./protocol-clients.js";

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.shutdown());

interface GrpcAnswer {
  readonly status: string | undefined;
  readonly message: string | undefined;
  /** Undefined without a `grpc-status-details-bin`. */
  readonly details: Detail[] | undefined;
}

function answerOf(headers: IncomingHttpHeaders): GrpcAnswer {
  const details = headers["grpc-status-details-bin"] as string | undefined;
  return {
    status: String(headers["grpc-status"]),
    message: headers["grpc-message"] as string | undefined,
    details: details === undefined ? undefined : statusDetails(details),
  };
}

function grpcRequest(path: string, body: Buffer): Promise<GrpcAnswer> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${server.port}`);
    session.on("error", reject);
    const request = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
    });
    request.on("response", (headers) => {
      // A trailers-only answer carries the status in the headers.
      if (headers["grpc-status"] !== undefined) resolve(answerOf(headers));
    });
    request.on("trailers", (trailers: IncomingHttpHeaders) => resolve(answerOf(trailers)));
    request.on("close", () => session.close());
    request.resume();
    request.end(body);
  });
}

/** The detail of a CalculateStream request that could not be read (calculator.proto's header). */
const unreadable = (index: number): Detail => ({
  type: "google.rpc.ErrorInfo",
  value: { reason: "UNREADABLE_REQUEST", domain: "calculator", metadata: { requestIndex: String(index) } },
});

function frame(message: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

describe("transport", () => {
  it("closes a connection that pings too often with GOAWAY ENHANCE_YOUR_CALM, and keeps serving", async () => {
    const session = connect(`http://127.0.0.1:${server.port}`);
    const goaway = new Promise<number>((resolve) => session.on("goaway", (code: number) => resolve(code)));
    session.on("error", () => undefined);
    await new Promise((resolve) => session.once("connect", resolve));
    const ping = () => new Promise<void>((resolve) => session.ping(() => resolve()));
    for (let i = 0; i <= limits.MAX_PING_STRIKES + 1 && !session.destroyed; i += 1) await ping();
    await expect(goaway).resolves.toBe(constants.NGHTTP2_ENHANCE_YOUR_CALM);
    session.destroy();
    const client = calculatorClient(server.port);
    await expect(calculateOnce(client, { firstOperand: 2, secondOperand: 3 })).resolves.toBe(5);
    client.close();
  });

  it("allows pings while a call is open (gRPC clients' flow-control probes)", async () => {
    const session = connect(`http://127.0.0.1:${server.port}`);
    let goaway = false;
    session.on("goaway", () => (goaway = true));
    await new Promise((resolve) => session.once("connect", resolve));
    const request = session.request({
      ":method": "POST",
      ":path": "/Calculator/CalculateStream",
      "content-type": "application/grpc",
      te: "trailers",
    });
    request.resume();
    const trailers = new Promise<IncomingHttpHeaders>((resolve) => request.on("trailers", resolve));
    await new Promise((resolve) => request.once("response", resolve));
    for (let i = 0; i < limits.MAX_PING_STRIKES + 3; i += 1)
      await new Promise<void>((resolve) => session.ping(() => resolve()));
    request.end(
      frame(
        Buffer.from(BinaryOperation.encode({ firstOperand: 2, secondOperand: 3, operation: Operation.ADD }).finish()),
      ),
    );
    expect((await trailers)["grpc-status"]).toBe("0");
    expect(goaway).toBe(false);
    session.close();
  });

  it("refuses a message over the receive limit with RESOURCE_EXHAUSTED", async () => {
    const oversized = frame(Buffer.alloc(limits.MAX_RECEIVE_MESSAGE_BYTES + 1));
    await expect(grpcRequest("/Calculator/Calculate", oversized)).resolves.toMatchObject({
      status: String(status.RESOURCE_EXHAUSTED),
    });
  });

  it("answers an unknown method with UNIMPLEMENTED", async () => {
    await expect(grpcRequest("/Calculator/Power", frame(Buffer.alloc(0)))).resolves.toMatchObject({
      status: String(status.UNIMPLEMENTED),
    });
  });

  it("answers malformed request bytes with INTERNAL, unary and streaming, and keeps serving", async () => {
    // field 3 (varint) whose varint never ends.
    const truncated = frame(Buffer.from([0x18, 0xff, 0xff]));
    await expect(grpcRequest("/Calculator/Calculate", truncated)).resolves.toMatchObject({
      status: String(status.INTERNAL),
      details: undefined, // not the arithmetic's: no details
    });
    const streamed = await grpcRequest("/Calculator/CalculateStream", truncated);
    expect(streamed.status).toBe(String(status.INTERNAL));
    expect(streamed.message).toMatch(/^operation 0: cannot parse the request/);
    expect(streamed.details).toEqual([unreadable(0)]);
    const client = calculatorClient(server.port);
    await expect(calculateOnce(client, { firstOperand: 2, secondOperand: 3 })).resolves.toBe(5);
    client.close();
  });

  it("answers a wrong content-type with HTTP 415", async () => {
    const session = connect(`http://127.0.0.1:${server.port}`);
    const request = session.request({
      ":method": "POST",
      ":path": "/Calculator/CalculateStream",
      "content-type": "application/json",
    });
    const response = await new Promise<IncomingHttpHeaders>((resolve) => request.on("response", resolve));
    expect(response[":status"]).toBe(415);
    request.close();
    session.close();
  });

  it("ignores unknown fields, as proto3 requires", async () => {
    // field 1 = 2.0f, field 2 = 3.0f, then unknown field 15 (varint 1).
    const message = Buffer.from([0x0d, 0, 0, 0, 0x40, 0x15, 0, 0, 0x40, 0x40, 0x78, 0x01]);
    await expect(grpcRequest("/Calculator/Calculate", frame(message))).resolves.toMatchObject({
      status: String(status.OK),
    });
  });

  it("CalculateStream: requests split at any byte boundary still answer in order", async () => {
    const requests = [1, 2, 3, 4, 5].map((n) =>
      frame(
        Buffer.from(
          BinaryOperation.encode({ firstOperand: n, secondOperand: n, operation: Operation.MULTIPLY }).finish(),
        ),
      ),
    );
    const bytes = Buffer.concat(requests);
    const session = connect(`http://127.0.0.1:${server.port}`);
    const request = session.request({
      ":method": "POST",
      ":path": "/Calculator/CalculateStream",
      "content-type": "application/grpc",
      te: "trailers",
    });
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    const trailers = new Promise<IncomingHttpHeaders>((resolve) => request.on("trailers", resolve));
    for (let i = 0; i < bytes.length; i += 1) request.write(bytes.subarray(i, i + 1));
    request.end();
    expect((await trailers)["grpc-status"]).toBe("0");
    session.close();
    const body = Buffer.concat(chunks);
    const results: number[] = [];
    for (let at = 0; at < body.length;) {
      const length = body.readUInt32BE(at + 1);
      results.push(CalculationResult.decode(body.subarray(at + 5, at + 5 + length)).result);
      at += 5 + length;
    }
    expect(results).toEqual([1, 4, 9, 16, 25]);
  });

  it("CalculateStream: a message over the receive limit ends the call with RESOURCE_EXHAUSTED", async () => {
    const ok = frame(
      Buffer.from(BinaryOperation.encode({ firstOperand: 1, secondOperand: 1, operation: Operation.ADD }).finish()),
    );
    const oversized = frame(Buffer.alloc(limits.MAX_RECEIVE_MESSAGE_BYTES + 1));
    const answer = await grpcRequest("/Calculator/CalculateStream", Buffer.concat([ok, oversized]));
    expect(answer.status).toBe(String(status.RESOURCE_EXHAUSTED));
    expect(answer.message).toMatch(/^operation 1: received message larger than max/);
    expect(answer.details).toEqual([unreadable(1)]);
  });

  it("CalculateStream: the server ends a call past its grpc-timeout with DEADLINE_EXCEEDED", async () => {
    const session = connect(`http://127.0.0.1:${server.port}`);
    const started = performance.now();
    const request = session.request({
      ":method": "POST",
      ":path": "/Calculator/CalculateStream",
      "content-type": "application/grpc",
      te: "trailers",
      "grpc-timeout": "200m",
    });
    request.resume();
    const trailers = new Promise<IncomingHttpHeaders>((resolve) => request.on("trailers", resolve));
    // The client never half-closes: only the server's deadline ends the call.
    request.write(
      frame(
        Buffer.from(BinaryOperation.encode({ firstOperand: 1, secondOperand: 1, operation: Operation.ADD }).finish()),
      ),
    );
    expect((await trailers)["grpc-status"]).toBe(String(status.DEADLINE_EXCEEDED));
    const ms = performance.now() - started;
    // At the deadline: not before it (1 ms for timers' whole milliseconds), and not long after.
    expect(ms).toBeGreaterThanOrEqual(200 - 1);
    expect(ms).toBeLessThan(5_000);
    session.destroy();
  });
});

interface RawAnswer {
  headers: IncomingHttpHeaders;
  /** The status and message, from the trailers or a trailers-only response. */
  status: string | undefined;
  message: string | undefined;
  results: number[];
}

/**
 * One raw HTTP/2 call: `chunks` are written in order (Node may coalesce them into fewer DATA frames;
 * framing.test.ts sends separate frames); `end: false` leaves the request
 * open (only the server can end the call then); `delayedBody` is sent 50 ms later, ending the request.
 */
function rawCall(
  port: number,
  path: string,
  chunks: readonly Buffer[],
  options: { headers?: Record<string, string>; end?: boolean; delayedBody?: readonly Buffer[] } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${port}`);
    session.on("error", reject);
    const request = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
      ...options.headers,
    });
    let headers: IncomingHttpHeaders = {};
    const body: Buffer[] = [];
    request.on("response", (response) => (headers = response));
    request.on("data", (chunk: Buffer) => body.push(chunk));
    let trailers: IncomingHttpHeaders = {};
    request.on("trailers", (received: IncomingHttpHeaders) => (trailers = received));
    // The server's END_STREAM: the call is over even if the client's side is still open.
    request.on("end", () => {
      session.destroy();
      const final = headers["grpc-status"] === undefined ? trailers : headers;
      const bytes = Buffer.concat(body);
      const results: number[] = [];
      for (let at = 0; at + 5 <= bytes.length; at += 5 + bytes.readUInt32BE(at + 1)) {
        results.push(CalculationResult.decode(bytes.subarray(at + 5, at + 5 + bytes.readUInt32BE(at + 1))).result);
      }
      resolve({
        headers,
        status: final["grpc-status"] as string | undefined,
        message: percentDecoded(final["grpc-message"]),
        results,
      });
    });
    for (const chunk of chunks) request.write(chunk);
    if (options.delayedBody !== undefined) {
      const delayed = options.delayedBody;
      setTimeout(() => request.end(Buffer.concat(delayed)), 50);
    } else if (options.end !== false) {
      request.end();
    }
  });
}

/** grpc-message is percent-encoded (grpc-js also encodes spaces). */
function percentDecoded(value: string | string[] | undefined): string | undefined {
  return typeof value === "string" ? decodeURIComponent(value) : undefined;
}

const twoPlusThree = frame(
  Buffer.from(BinaryOperation.encode({ firstOperand: 2, secondOperand: 3, operation: Operation.ADD }).finish()),
);

describe.each([
  ["the direct path", true],
  ["grpc-js (direct path off)", false],
])("a raw unary Calculate call through %s", (_path, directPath) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({ directPath });
  });
  afterAll(() => server.shutdown());

  it("answers a call with no request message UNIMPLEMENTED (cardinality), without a result", async () => {
    await expect(rawCall(server.port, "/Calculator/Calculate", [])).resolves.toMatchObject({
      status: String(status.UNIMPLEMENTED),
      results: [],
    });
  });

  it("answers a call with two request messages UNIMPLEMENTED (cardinality), without a result", async () => {
    await expect(
      rawCall(server.port, "/Calculator/Calculate", [Buffer.concat([twoPlusThree, twoPlusThree])]),
    ).resolves.toMatchObject({
      status: String(status.UNIMPLEMENTED),
      results: [],
    });
  });

  it("refuses a message declared over the receive limit as soon as its length prefix arrives", async () => {
    const prefix = Buffer.from([0, 0, 0, 0, 0]);
    prefix.writeUInt32BE(limits.MAX_RECEIVE_MESSAGE_BYTES + 1, 1);
    // The request stays open and the body never comes: the status can only come from the prefix.
    const answer = await rawCall(server.port, "/Calculator/Calculate", [prefix], { end: false });
    expect(answer).toMatchObject({ status: String(status.RESOURCE_EXHAUSTED), results: [] });
    expect(answer.message).toMatch(/larger than max/i);
  });

  it("ends a call whose request is still incomplete at its grpc-timeout with DEADLINE_EXCEEDED", async () => {
    const started = performance.now();
    const answer = await rawCall(server.port, "/Calculator/Calculate", [twoPlusThree.subarray(0, 7)], {
      headers: { "grpc-timeout": "150m" },
      end: false,
    });
    const ms = performance.now() - started;
    expect(answer).toMatchObject({ status: String(status.DEADLINE_EXCEEDED), results: [] });
    expect(ms).toBeGreaterThanOrEqual(150 - 1);
    expect(ms).toBeLessThan(5_000);
  });

  it("treats a grpc-timeout beyond what a timer can hold (99999999S, ~3 years) as no deadline", async () => {
    // The body comes later than the 1 ms Node would wait for a timer set past 2^31 - 1 ms.
    const answer = await rawCall(server.port, "/Calculator/Calculate", [], {
      headers: { "grpc-timeout": "99999999S" },
      end: false,
      delayedBody: [twoPlusThree],
    });
    expect(answer).toMatchObject({ status: "0", results: [5] });
  });

  it("answers a request that ends inside a message with an error status, without a result", async () => {
    const answer = await rawCall(server.port, "/Calculator/Calculate", [twoPlusThree.subarray(0, 7)]);
    // The direct path calls it a framing error (INTERNAL); grpc-js sees no complete message (UNIMPLEMENTED).
    expect(answer).toMatchObject({ status: String(directPath ? status.INTERNAL : status.UNIMPLEMENTED), results: [] });
  });

  it("keeps serving after a client resets a call half-way", async () => {
    const session = connect(`http://127.0.0.1:${server.port}`);
    const request = session.request({
      ":method": "POST",
      ":path": "/Calculator/Calculate",
      "content-type": "application/grpc",
      te: "trailers",
    });
    request.on("error", () => undefined);
    request.write(twoPlusThree.subarray(0, 3));
    await new Promise((resolve) => setImmediate(resolve));
    request.close(constants.NGHTTP2_CANCEL);
    await new Promise((resolve) => request.on("close", resolve));
    session.destroy();
    await expect(rawCall(server.port, "/Calculator/Calculate", [twoPlusThree])).resolves.toMatchObject({
      status: "0",
      results: [5],
    });
  });
});

describe("the direct path's own answers", () => {
  it("answers a rejected call trailers-only: its status and message in the response headers, no result", async () => {
    const request = frame(
      Buffer.from(BinaryOperation.encode({ firstOperand: 1, secondOperand: 0, operation: Operation.DIVIDE }).finish()),
    );
    const answer = await rawCall(server.port, "/Calculator/Calculate", [request]);
    expect(answer.headers["grpc-status"]).toBe(String(status.INVALID_ARGUMENT));
    expect(answer.message).toBe("division by zero: second_operand is 0");
    expect(answer.results).toEqual([]);
  });

  it("asks a client still uploading a refused request to stop: RST_STREAM NO_ERROR after the status", async () => {
    const session = connect(`http://127.0.0.1:${server.port}`);
    const request = session.request({
      ":method": "POST",
      ":path": "/Calculator/Calculate",
      "content-type": "application/grpc",
      te: "trailers",
    });
    request.on("error", () => undefined);
    const prefix = Buffer.from([0, 0, 0, 0, 0]);
    prefix.writeUInt32BE(limits.MAX_RECEIVE_MESSAGE_BYTES + 1, 1);
    request.write(prefix); // and never ends the request
    const response = await new Promise<IncomingHttpHeaders>((resolve) => request.once("response", resolve));
    const closed = await Promise.race([
      new Promise<boolean>((resolve) => request.once("close", () => resolve(true))),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2_000)),
    ]);
    session.destroy();
    expect(response["grpc-status"]).toBe(String(status.RESOURCE_EXHAUSTED));
    expect(closed).toBe(true);
    expect(request.rstCode).toBe(constants.NGHTTP2_NO_ERROR);
  });

  it("refuses a frame marked compressed on a call without grpc-encoding with INTERNAL", async () => {
    const compressed = Buffer.from(twoPlusThree);
    compressed[0] = 1;
    await expect(rawCall(server.port, "/Calculator/Calculate", [compressed])).resolves.toMatchObject({
      status: String(status.INTERNAL),
      results: [],
    });
  });
});

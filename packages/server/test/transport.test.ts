// Transport-level behaviour: limits and abuse protection, seen by a raw HTTP/2 client.
import { connect, constants, type IncomingHttpHeaders } from "node:http2";
import { status } from "@grpc/grpc-js";
import { BinaryOperation, CalculationResult, Operation } from "@grpc-calculator/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { limits, type RunningServer } from "../src/index.js";
import { calculateOnce, calculatorClient, startTestServer } from "./helpers.js";

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.shutdown());

function grpcRequest(path: string, body: Buffer): Promise<{ status: string | undefined; message: string | undefined }> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${server.port}`);
    session.on("error", reject);
    const request = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers" });
    request.on("response", (headers) => {
      // A trailers-only answer carries the status in the headers.
      if (headers["grpc-status"] !== undefined) {
        resolve({ status: String(headers["grpc-status"]), message: headers["grpc-message"] as string | undefined });
      }
    });
    request.on("trailers", (trailers: IncomingHttpHeaders) => resolve({ status: String(trailers["grpc-status"]), message: trailers["grpc-message"] as string | undefined }));
    request.on("close", () => session.close());
    request.resume();
    request.end(body);
  });
}

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
    const request = session.request({ ":method": "POST", ":path": "/Calculator/CalculateStream", "content-type": "application/grpc", te: "trailers" });
    request.resume();
    const trailers = new Promise<IncomingHttpHeaders>((resolve) => request.on("trailers", resolve));
    await new Promise((resolve) => request.once("response", resolve));
    for (let i = 0; i < limits.MAX_PING_STRIKES + 3; i += 1) await new Promise<void>((resolve) => session.ping(() => resolve()));
    request.end(frame(Buffer.from(BinaryOperation.encode({ firstOperand: 2, secondOperand: 3, operation: Operation.ADD }).finish())));
    expect((await trailers)["grpc-status"]).toBe("0");
    expect(goaway).toBe(false);
    session.close();
  });

  it("refuses a message over the receive limit with RESOURCE_EXHAUSTED", async () => {
    const oversized = frame(Buffer.alloc(limits.MAX_RECEIVE_MESSAGE_BYTES + 1));
    await expect(grpcRequest("/Calculator/Calculate", oversized)).resolves.toMatchObject({ status: String(status.RESOURCE_EXHAUSTED) });
  });

  it("answers an unknown method with UNIMPLEMENTED", async () => {
    await expect(grpcRequest("/Calculator/Power", frame(Buffer.alloc(0)))).resolves.toMatchObject({ status: String(status.UNIMPLEMENTED) });
  });

  it("answers malformed request bytes with INTERNAL, unary and streaming, and keeps serving", async () => {
    // field 3 (varint) whose varint never ends.
    const truncated = frame(Buffer.from([0x18, 0xff, 0xff]));
    await expect(grpcRequest("/Calculator/Calculate", truncated)).resolves.toMatchObject({ status: String(status.INTERNAL) });
    const streamed = await grpcRequest("/Calculator/CalculateStream", truncated);
    expect(streamed.status).toBe(String(status.INTERNAL));
    expect(streamed.message).toMatch(/^operation 0: cannot parse the request/);
    const client = calculatorClient(server.port);
    await expect(calculateOnce(client, { firstOperand: 2, secondOperand: 3 })).resolves.toBe(5);
    client.close();
  });

  it("answers a wrong content-type with HTTP 415", async () => {
    const session = connect(`http://127.0.0.1:${server.port}`);
    const request = session.request({ ":method": "POST", ":path": "/Calculator/CalculateStream", "content-type": "application/json" });
    const response = await new Promise<IncomingHttpHeaders>((resolve) => request.on("response", resolve));
    expect(response[":status"]).toBe(415);
    request.close();
    session.close();
  });

  it("ignores unknown fields, as proto3 requires", async () => {
    // field 1 = 2.0f, field 2 = 3.0f, then unknown field 15 (varint 1).
    const message = Buffer.from([0x0d, 0, 0, 0, 0x40, 0x15, 0, 0, 0x40, 0x40, 0x78, 0x01]);
    await expect(grpcRequest("/Calculator/Calculate", frame(message))).resolves.toMatchObject({ status: String(status.OK) });
  });

  it("CalculateStream: requests split at any byte boundary still answer in order", async () => {
    const requests = [1, 2, 3, 4, 5].map((n) => frame(Buffer.from(BinaryOperation.encode({ firstOperand: n, secondOperand: n, operation: Operation.MULTIPLY }).finish())));
    const bytes = Buffer.concat(requests);
    const session = connect(`http://127.0.0.1:${server.port}`);
    const request = session.request({ ":method": "POST", ":path": "/Calculator/CalculateStream", "content-type": "application/grpc", te: "trailers" });
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    const trailers = new Promise<IncomingHttpHeaders>((resolve) => request.on("trailers", resolve));
    for (let i = 0; i < bytes.length; i += 1) request.write(bytes.subarray(i, i + 1));
    request.end();
    expect((await trailers)["grpc-status"]).toBe("0");
    session.close();
    const body = Buffer.concat(chunks);
    const results: number[] = [];
    for (let at = 0; at < body.length; ) {
      const length = body.readUInt32BE(at + 1);
      results.push(CalculationResult.decode(body.subarray(at + 5, at + 5 + length)).result);
      at += 5 + length;
    }
    expect(results).toEqual([1, 4, 9, 16, 25]);
  });

  it("CalculateStream: a message over the receive limit ends the call with RESOURCE_EXHAUSTED", async () => {
    const ok = frame(Buffer.from(BinaryOperation.encode({ firstOperand: 1, secondOperand: 1, operation: Operation.ADD }).finish()));
    const oversized = frame(Buffer.alloc(limits.MAX_RECEIVE_MESSAGE_BYTES + 1));
    const answer = await grpcRequest("/Calculator/CalculateStream", Buffer.concat([ok, oversized]));
    expect(answer.status).toBe(String(status.RESOURCE_EXHAUSTED));
    expect(answer.message).toMatch(/^operation 1: received message larger than max/);
  });

  it("CalculateStream: the server ends a call past its grpc-timeout with DEADLINE_EXCEEDED", async () => {
    const session = connect(`http://127.0.0.1:${server.port}`);
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
    request.write(frame(Buffer.from(BinaryOperation.encode({ firstOperand: 1, secondOperand: 1, operation: Operation.ADD }).finish())));
    expect((await trailers)["grpc-status"]).toBe(String(status.DEADLINE_EXCEEDED));
    session.destroy();
  });

});

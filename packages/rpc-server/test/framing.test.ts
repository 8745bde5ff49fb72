// Length-prefixed messages split where the network splits them: the envelope reader on every split
// of real bytes, and the direct paths fed one byte per DATA frame, each frame seen by the server
// as its own chunk (Node coalesces writes made in one tick, so the client waits for each to arrive).
import { once } from "node:events";
import { connect, createServer, type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { defineService } from "../src/index.js";
import { DEFAULT_LIMITS } from "../src/limits.js";
import { createPipelines } from "../src/pipeline/pipeline.js";
import { EnvelopeReader, encodeEnvelopes } from "../src/protocol/envelope.js";
import { directGrpcHandler } from "../src/protocol-grpc/handler.js";
import { createWebProtocols } from "../src/web/web-protocols.js";
import { echoImplementation, echoRequest } from "./fixture-service.js";
import { fixtureDescriptorSet } from "./gen/descriptor-set.js";
import { EchoRequest, EchoResponse, EchoServiceService } from "./gen/fixture.js";
import { frames } from "./raw-http.js";

const hello = EchoRequest.encode(echoRequest({ text: "hello" })).finish();
const threeTimes = EchoRequest.encode(echoRequest({ text: "three", repeat: 3 })).finish();
const service = defineService(EchoServiceService, echoImplementation, { descriptorSet: fixtureDescriptorSet });

describe("EnvelopeReader", () => {
  const body = encodeEnvelopes([hello, threeTimes, new Uint8Array(0)]);
  const read = (chunks: Buffer[]) => {
    const reader = new EnvelopeReader(4096);
    const messages: Buffer[] = [];
    for (const chunk of chunks) {
      expect(reader.read(chunk, (message) => void messages.push(Buffer.from(message)))).toBeUndefined();
    }
    return { messages, midMessage: reader.midMessage };
  };
  const expected = [Buffer.from(hello), Buffer.from(threeTimes), Buffer.alloc(0)];

  it("reads the same messages at every two-way split of the body", () => {
    for (let at = 0; at <= body.length; at += 1) {
      expect(read([body.subarray(0, at), body.subarray(at)])).toEqual({ messages: expected, midMessage: false });
    }
  });

  it("reads them one byte per chunk, and knows when the body stops inside a message", () => {
    const bytes = [...body].map((byte) => Buffer.from([byte]));
    expect(read(bytes)).toEqual({ messages: expected, midMessage: false });
    expect(read(bytes.slice(0, 8)).midMessage).toBe(true);
  });

  it("refuses a message declared over its limit from the length prefix alone", () => {
    const reader = new EnvelopeReader(10);
    const failure = reader.read(Buffer.from([0, 0, 0, 0, 11]), () => undefined);
    expect(failure?.message).toBe("received message larger than max (11 vs. 10)");
  });
});

/** A bare HTTP/2 server whose streams go to `serve`, counting the DATA chunks each stream receives. */
async function countingServer(serve: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void) {
  const chunks: number[] = [];
  const server = createServer();
  server.on("stream", (stream, headers) => {
    const index = chunks.push(0) - 1;
    stream.on("data", () => (chunks[index] = (chunks[index] ?? 0) + 1));
    serve(stream, headers);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { chunks, port: (server.address() as AddressInfo).port, close: () => server.close() };
}

/** Sends `body` one byte per DATA frame: each write is awaited until the server has counted it. */
async function sendByteByByte(
  port: number,
  path: string,
  headers: Record<string, string>,
  body: Uint8Array,
  chunks: number[],
): Promise<{ data: Buffer; trailers: Record<string, unknown> }> {
  const session = connect(`http://127.0.0.1:${port}`);
  const stream = session.request({ ":method": "POST", ":path": path, ...headers });
  const data: Buffer[] = [];
  let trailers: Record<string, unknown> = {};
  stream.on("data", (chunk: Buffer) => data.push(chunk));
  stream.on("trailers", (received: IncomingHttpHeaders) => (trailers = received));
  const ended = once(stream, "end");
  for (const [i, byte] of [...body].entries()) {
    await new Promise<void>((resolve) => stream.write(Buffer.from([byte]), () => resolve()));
    while ((chunks[0] ?? 0) < i + 1) await new Promise((resolve) => setImmediate(resolve));
  }
  stream.end();
  await ended;
  session.close();
  return { data: Buffer.concat(data), trailers };
}

describe("the direct paths, one byte per DATA frame", () => {
  const pipelines = createPipelines([service], []);
  const grpcHeaders = { "content-type": "application/grpc", te: "trailers" };
  const decoded = (data: Buffer) => frames(data).messages.map((message) => EchoResponse.decode(message));

  it("gRPC, unary: answers the request after one chunk per byte", async () => {
    const handler = directGrpcHandler(pipelines, DEFAULT_LIMITS.maxReceiveMessageBytes);
    const server = await countingServer((stream, headers) => handler(stream, headers));
    const body = encodeEnvelopes([hello]);
    const answer = await sendByteByByte(server.port, EchoServiceService.unary.path, grpcHeaders, body, server.chunks);
    server.close();
    expect(server.chunks).toEqual([body.length]);
    expect(answer.trailers["grpc-status"]).toBe("0");
    expect(decoded(answer.data)).toEqual([{ text: "hello", index: 0 }]);
  });

  it("gRPC, bidi streaming: reads every message of a stream sent one byte per chunk", async () => {
    const handler = directGrpcHandler(pipelines, DEFAULT_LIMITS.maxReceiveMessageBytes);
    const server = await countingServer((stream, headers) => handler(stream, headers));
    const body = encodeEnvelopes([hello, threeTimes]);
    const answer = await sendByteByByte(server.port, EchoServiceService.bidi.path, grpcHeaders, body, server.chunks);
    server.close();
    expect(server.chunks).toEqual([body.length]);
    expect(answer.trailers["grpc-status"]).toBe("0");
    expect(decoded(answer.data)).toEqual([
      { text: "hello", index: 0 },
      { text: "three", index: 1 },
      { text: "three", index: 2 },
      { text: "three", index: 3 },
    ]);
  });

  it("gRPC-Web: answers the request after one chunk per byte", async () => {
    const web = createWebProtocols({
      services: [service],
      pipelines,
      limits: DEFAULT_LIMITS,
      allowedOrigins: new Set(),
      directPath: true,
      onError: () => undefined,
    });
    const server = await countingServer((stream, headers) => web.serveHttp2(stream, headers));
    const body = encodeEnvelopes([hello]);
    const answer = await sendByteByByte(
      server.port,
      EchoServiceService.unary.path,
      { "content-type": "application/grpc-web+proto" },
      body,
      server.chunks,
    );
    server.close();
    expect(server.chunks).toEqual([body.length]);
    const { messages, trailer } = frames(answer.data);
    expect(messages.map((message) => EchoResponse.decode(message))).toEqual([{ text: "hello", index: 0 }]);
    expect(trailer?.["grpc-status"]).toBe("0");
  });
});

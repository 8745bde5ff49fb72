// One port for every caller: HTTP/2 and HTTP/1.1 told apart per connection (cleartext by the HTTP/2
// preface, TLS by ALPN), HTTP/1.1's own hostile input, and graceful shutdown of web calls.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect as tlsConnect } from "node:tls";
import { connect } from "node:http2";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentials } from "@grpc/grpc-js";
import { CalculatorClient } from "@grpc-calculator/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/index.js";
import { calculateOnce, startTestServer, writeTestCertificate } from "./helpers.js";
import { http1, rawTcp } from "./web-http.js";

const json = { "content-type": "application/json" };
const body = '{"firstOperand": 2, "secondOperand": 3}';

describe("HTTP/1.1 on the gRPC port", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({ http1RequestTimeoutMs: 600 });
  });
  afterAll(() => server.shutdown());

  it("carries several calls on one keep-alive connection", async () => {
    const request = `POST /Calculator/Calculate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const last = request.replace("Host: x\r\n", "Host: x\r\nConnection: close\r\n");
    const answer = await rawTcp(server.port, request + request + last);
    expect(answer.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(3);
    expect(answer.match(/\{"result":5\}/g)).toHaveLength(3);
  });

  it("refuses a request with both Content-Length and Transfer-Encoding (request smuggling) with 400", async () => {
    const answer = await rawTcp(
      server.port,
      "POST /Calculator/Calculate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
        "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
        `POST /Calculator/Calculate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    // The smuggled second request is never served.
    expect(answer).not.toContain('{"result":5}');
  });

  it("cuts off a request whose body is too slow with 408, and serves the next caller", async () => {
    const started = performance.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = tcpConnect(server.port, "127.0.0.1");
      let received = "";
      socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
      socket.on("close", () => resolve(received));
      socket.on("error", reject);
      socket.write(
        `POST /Calculator/Calculate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n{`,
      );
      // One byte now and then, never the whole body: only the request timeout can end this.
      const drip = setInterval(() => socket.write(" "), 100);
      socket.on("close", () => clearInterval(drip));
    });
    const ms = performance.now() - started;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    // Not before the 600 ms request timeout; Node looks for late requests once a second, so up to ~1.6 s.
    expect(ms).toBeGreaterThanOrEqual(600 - 1);
    expect(ms).toBeLessThan(5_000);
    await expect(http1(server.port, { headers: json, body })).resolves.toMatchObject({ status: 200 });
  });

  it("answers gRPC over HTTP/1.1, which gRPC cannot use, with 415", async () => {
    const answer = await http1(server.port, { headers: { "content-type": "application/grpc" }, body: "" });
    expect(answer.status).toBe(415);
  });

  it("serves gRPC clients and HTTP/1.1 callers on the same port at the same time", async () => {
    const client = new CalculatorClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
    const [grpc, web] = await Promise.all([
      calculateOnce(client, { firstOperand: 2, secondOperand: 3 }),
      http1(server.port, { headers: json, body }),
    ]);
    client.close();
    expect(grpc).toBe(5);
    expect(web.body.toString()).toBe('{"result":5}');
  });
});

describe("TLS on the same port: ALPN picks HTTP/2 or HTTP/1.1", () => {
  let dir: string;
  let cert: Buffer;
  let server: RunningServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "grpc-calculator-tls-"));
    const files = writeTestCertificate(dir);
    cert = readFileSync(files.cert);
    server = await startTestServer({ tls: { certFile: files.cert, keyFile: files.key } });
  });
  afterAll(async () => {
    await server.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves gRPC (h2)", async () => {
    const client = new CalculatorClient(`localhost:${server.port}`, credentials.createSsl(cert));
    await expect(calculateOnce(client, { firstOperand: 2, secondOperand: 3 })).resolves.toBe(5);
    client.close();
  });

  it("serves Connect over h2", async () => {
    const session = connect(`https://localhost:${server.port}`, { ca: cert });
    const answer = await new Promise<string>((resolve, reject) => {
      const stream = session.request({ ":method": "POST", ":path": "/Calculator/Calculate", ...json });
      let text = "";
      stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
      stream.on("end", () => resolve(text));
      stream.on("error", reject);
      stream.end(body);
    });
    session.close();
    expect(answer).toBe('{"result":5}');
  });

  it.each([
    ["that ALPN negotiates", ["http/1.1"], "http/1.1"],
    ["to a TLS client that offers no ALPN", undefined, "false"],
  ])("serves HTTP/1.1 %s", async (_name, ALPNProtocols, negotiated) => {
    const answer = await new Promise<string>((resolve, reject) => {
      const options = { host: "localhost", port: server.port, ca: cert, ...(ALPNProtocols && { ALPNProtocols }) };
      const socket = tlsConnect(options, () =>
        socket.write(
          `POST /Calculator/Calculate HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${body.length}\r\n\r\n${body}`,
        ),
      );
      let text = "";
      socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
      socket.on("close", () => resolve(`${String(socket.alpnProtocol)} ${text}`));
      socket.on("error", reject);
    });
    expect(answer).toMatch(new RegExp(`^${negotiated} HTTP/1\\.1 200 OK[\\s\\S]*\\{"result":5\\}$`));
  });
});

describe("graceful shutdown of web calls", () => {
  it("finishes a call in flight over HTTP/1.1 and over h2c, then refuses new ones", async () => {
    const server = await startTestServer();
    const port = server.port;
    // A first web call: the server loads its web protocols' code then (transport/web-loader.ts).
    await expect(http1(port, { headers: json, body })).resolves.toMatchObject({ status: 200 });
    // Two calls whose bodies are still arriving when shutdown starts, each known to have reached the server
    // first. HTTP/1.1: the request says Expect: 100-continue, and node:http answers "100 Continue" as it
    // hands the request to the server; only then does the body start.
    const h1Socket = tcpConnect(port, "127.0.0.1");
    let h1Text = "";
    let h1Accepted: () => void = () => undefined;
    const h1Continue = new Promise<void>((resolve) => (h1Accepted = resolve));
    const h1Answer = new Promise<string>((resolve) => {
      h1Socket.on("data", (chunk: Buffer) => {
        h1Text += chunk.toString();
        if (h1Text.startsWith("HTTP/1.1 100 Continue\r\n\r\n")) h1Accepted();
      });
      h1Socket.on("close", () => resolve(h1Text));
    });
    h1Socket.write(
      `POST /Calculator/Calculate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
        `Expect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    const session = connect(`http://127.0.0.1:${port}`);
    const h2Stream = session.request({ ":method": "POST", ":path": "/Calculator/Calculate", ...json });
    const h2Answer = new Promise<string>((resolve) => {
      let text = "";
      h2Stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
      h2Stream.on("end", () => resolve(text));
    });
    h2Stream.write(body.slice(0, 5));
    // h2: the server reads a connection's frames in order, so a PING sent after the request's HEADERS and
    // DATA comes back acknowledged only once the server has read them.
    await new Promise((resolve) => session.once("connect", resolve));
    const h2Read = new Promise<void>((resolve, reject) =>
      session.ping((error) => (error === null ? resolve() : reject(error))),
    );
    await Promise.all([h1Continue, h2Read]);
    h1Socket.write(body.slice(0, 5));

    const closed = server.shutdown();
    const goaway = new Promise((resolve) => session.once("goaway", resolve));
    await goaway;
    h1Socket.end(body.slice(5));
    h2Stream.end(body.slice(5));
    await expect(h1Answer).resolves.toMatch(
      /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK[\s\S]*Connection: close[\s\S]*\{"result":5\}$/,
    );
    await expect(h2Answer).resolves.toBe('{"result":5}');
    session.close();
    await closed;
    // The port is closed: a new caller is refused.
    await expect(http1(port, { headers: json, body })).rejects.toThrow(/ECONNREFUSED/);
  });
});

// The first web call of a server's life arrives while the web protocols load (transport/web-loader.ts in
// the engine). A Connect call whose empty body ends in its own DATA frame (what connect-node sends for an
// empty message) once got no answer at all: Node had emitted the body's 'end' before anyone listened.
import { connect } from "node:http2";
import { CalculationResult } from "@grpc-calculator/proto";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunningServer } from "../src/index.js";
import { startTestServer } from "./helpers.js";

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.shutdown());

it("answers the first Connect call, an empty proto body in a DATA frame of its own, over HTTP/2", async () => {
  const session = connect(`http://127.0.0.1:${server.port}`);
  try {
    const request = session.request({
      ":method": "POST",
      ":path": "/Calculator/Calculate",
      "content-type": "application/proto",
    });
    request.end(); // the headers, then an empty DATA frame with END_STREAM
    const [status, body] = await Promise.all([
      new Promise<unknown>((resolve) => request.once("response", (headers) => resolve(headers[":status"]))),
      new Promise<Buffer>((resolve) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.once("end", () => resolve(Buffer.concat(chunks)));
      }),
    ]);
    expect(status).toBe(200);
    // An empty BinaryOperation is 0 + 0 (ADD is the zero value).
    expect(CalculationResult.decode(body)).toEqual({ result: 0 });
  } finally {
    session.close();
  }
});

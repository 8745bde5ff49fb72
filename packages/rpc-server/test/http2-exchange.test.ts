// The web protocols' answers on HTTP/2 when the client is still sending: an answer without a body
// sent before the request's end arrived once sent the server into a loop that stalled every later
// request (src/web/http2-exchange.ts, respondEmpty).
import { connect } from "node:http2";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RpcServer } from "../src/index.js";
import { startEchoServer } from "./fixture-service.js";

let server: RpcServer;
beforeAll(async () => {
  server = await startEchoServer();
});
afterAll(() => server.shutdown(0));

/** A GET as Node's http2 client sends one when told not to end it at once: its end an empty DATA frame. */
function getEndedLate(path: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${server.port}`);
    session.on("error", reject);
    const stream = session.request({ ":method": "GET", ":path": path }, { endStream: false });
    let status = 0;
    stream.on("response", (headers) => (status = Number(headers[":status"])));
    stream.on("close", () => {
      session.close();
      resolve(status);
    });
    stream.resume();
    stream.end();
  });
}

it("answers an unknown path (a bodiless 404) each time, and keeps serving", async () => {
  for (let i = 0; i < 3; i++) expect(await getEndedLate("/v1/nothing")).toBe(404);
});

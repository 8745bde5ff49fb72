// The calculator's REST routes (calculator.proto: GET and POST /v1/calculate) as `curl` sees them,
// over HTTP/1.1 and h2c: the README's two lines, an error as google.rpc.Status JSON, one log line per
// call whatever went wrong, the deadline, and caching. The cases shared with every other protocol
// (same codes, same messages) are in protocols.test.ts.
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/index.js";
import { captureLog, startTestServer } from "./helpers.js";
import { httpVersions, type HttpAnswer } from "./web-http.js";

const { lines, logger } = captureLog();
let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer({ logger });
});
afterAll(() => server.shutdown());

const body = (answer: HttpAnswer): unknown => JSON.parse(answer.body.toString()) as unknown;

describe.each(httpVersions)("REST over %s", (_version, send) => {
  const get = (path: string, headers: Record<string, string> = {}) =>
    send(server.port, { method: "GET", path, headers });
  const post = (json: string, headers: Record<string, string> = {}) =>
    send(server.port, {
      path: "/v1/calculate",
      headers: { "content-type": "application/json", ...headers },
      body: json,
    });

  it('answers the README\'s curl GET: {"result":5}, cacheable', async () => {
    const answer = await get("/v1/calculate?first_operand=2&second_operand=3&operation=ADD");
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/json");
    expect(answer.body.toString()).toBe('{"result":5}');
    expect(answer.headers["cache-control"]).toBe("public, max-age=300");
  });

  it('answers the README\'s curl POST: {"result":5}, not cached', async () => {
    const answer = await post('{"firstOperand":2,"secondOperand":3,"operation":"ADD"}');
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe('{"result":5}');
    expect(answer.headers["cache-control"]).toBeUndefined();
  });

  it("takes JSON names and enum numbers in the query, and writes a zero result", async () => {
    const answer = await get("/v1/calculate?firstOperand=2&secondOperand=2&operation=1");
    expect(answer.body.toString()).toBe('{"result":0}');
  });

  it("answers division by zero with 400 and google.rpc.Status JSON, not cached", async () => {
    const answer = await get("/v1/calculate?first_operand=1&second_operand=0&operation=DIVIDE");
    expect(answer.status).toBe(400);
    expect(answer.headers["content-type"]).toBe("application/json");
    expect(answer.headers["cache-control"]).toBeUndefined();
    expect(body(answer)).toMatchObject({
      code: status.INVALID_ARGUMENT,
      message: "division by zero: second_operand is 0",
      details: expect.any(Array) as unknown,
    });
  });

  it("logs each call once, as protocol rest, whether it answered, failed, or could not be read", async () => {
    const before = lines.length;
    await get("/v1/calculate?first_operand=40&second_operand=2");
    await get("/v1/calculate?first_operand=1&second_operand=0&operation=DIVIDE");
    await get("/v1/calculate?first_operand=x");
    const calls = lines.slice(before).filter((line) => line.method === "/Calculator/Calculate");
    expect(calls.map((line) => [line.protocol, line.message])).toEqual([
      ["rest", "calculated"],
      ["rest", "division by zero: second_operand is 0"],
      [
        "rest",
        'query parameter first_operand: cannot decode field BinaryOperation.first_operand from JSON: expected number (float32), got "x"',
      ],
    ]);
  });

  it("ends a call whose body is still arriving at its grpc-timeout: 504 DEADLINE_EXCEEDED", async () => {
    const started = performance.now();
    const answer = await send(server.port, {
      path: "/v1/calculate",
      headers: { "content-type": "application/json", "content-length": "40", "grpc-timeout": "150m" },
      body: '{"firstOperand":',
      open: true,
    });
    expect(answer.status).toBe(504);
    expect(body(answer)).toMatchObject({ code: status.DEADLINE_EXCEEDED, message: "Deadline exceeded" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(150 - 1);
  });

  it("refuses a field the contract does not have, in the query or the body", async () => {
    const query = await get("/v1/calculate?first_operand=1&precision=3");
    expect(query.status).toBe(400);
    expect(body(query)).toMatchObject({ code: status.INVALID_ARGUMENT });
    expect(String((body(query) as { message: string }).message)).toMatch(/^unknown query parameter "precision"/);
    const json = await post('{"firstOperand":1,"precision":3}');
    expect(json.status).toBe(400);
    expect(String((body(json) as { message: string }).message)).toContain('key "precision" is unknown');
  });

  it("answers another method with 405 and Allow", async () => {
    const answer = await send(server.port, { method: "DELETE", path: "/v1/calculate" });
    expect(answer.status).toBe(405);
    expect(String(answer.headers.allow).split(", ").sort()).toEqual(["GET", "POST"]);
  });
});

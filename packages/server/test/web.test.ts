// The web protocols as a browser, `curl` or `fetch` sees them, byte for byte: Connect's unary
// protocol (JSON and binary), gRPC-Web, their error forms, and hostile input, over HTTP/1.1 and
// h2c, on the direct paths and on connect-es (directPath: false). Both must answer alike.
import { status } from "@grpc/grpc-js";
import { BinaryOperation, CalculationResult, Operation } from "@grpc-calculator/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { limits, type RunningServer } from "../src/index.js";
import { startTestServer } from "./helpers.js";
import { envelope, grpcWebFrames, httpVersions, type HttpAnswer } from "./web-http.js";

const json = { "content-type": "application/json" };
const twoPlusThree = BinaryOperation.encode({ firstOperand: 2, secondOperand: 3, operation: Operation.ADD }).finish();
const oneOverZero = BinaryOperation.encode({ firstOperand: 1, secondOperand: 0, operation: Operation.DIVIDE }).finish();

function jsonBody(answer: HttpAnswer): unknown {
  return JSON.parse(answer.body.toString()) as unknown;
}

/** A gRPC-Web answer as results and the trailer's status and (decoded) message. */
function grpcWeb(answer: HttpAnswer): { results: number[]; status: string | undefined; message: string | undefined } {
  const { messages, trailer } = grpcWebFrames(answer.body);
  const message = trailer?.["grpc-message"];
  return {
    results: messages.map((bytes) => CalculationResult.decode(bytes).result),
    status: trailer?.["grpc-status"],
    message: message === undefined ? undefined : decodeURIComponent(message),
  };
}

describe.each([
  ["direct paths", true],
  ["connect-es (directPath: false)", false],
])("web protocols on %s", (_paths, directPath) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({ directPath });
  });
  afterAll(() => server.shutdown());

  describe.each(httpVersions)("over %s", (_version, send) => {
    const post = (headers: Record<string, string>, body: Buffer | string | Uint8Array) =>
      send(server.port, { headers, body: Buffer.from(body) });

    it('answers the README\'s curl: Connect JSON in, {"result":5} out', async () => {
      const answer = await post(json, '{"firstOperand": 2, "secondOperand": 3, "operation": "ADD"}');
      expect(answer.status).toBe(200);
      expect(answer.headers["content-type"]).toBe("application/json");
      expect(answer.body.toString()).toBe('{"result":5}');
    });

    it("accepts the proto field names (first_operand) and enum numbers, and writes zero results", async () => {
      const answer = await post(json, '{"first_operand": 2, "second_operand": 2, "operation": 1}');
      expect(answer.body.toString()).toBe('{"result":0}');
    });

    it.each([
      [
        "division by zero",
        '{"firstOperand": 1, "secondOperand": 0, "operation": "DIVIDE"}',
        400,
        { code: "invalid_argument", message: "division by zero: second_operand is 0" },
      ],
      [
        "a float32 overflow",
        '{"firstOperand": 3e38, "secondOperand": 3e38}',
        400,
        { code: "out_of_range", message: expect.stringMatching(/outside the float32 range/) as unknown },
      ],
      ["JSON that does not parse", '{"firstOperand": ', 400, { code: "invalid_argument" }],
      ["an operand of the wrong type", '{"firstOperand": "two"}', 400, { code: "invalid_argument" }],
      ["a field the contract does not have", '{"thirdOperand": 1}', 400, { code: "invalid_argument" }],
      [
        "an operation name the contract does not have",
        '{"operation": "NOT_AN_OPERATION"}',
        400,
        { code: "invalid_argument" },
      ],
      ["a JSON array", "[2, 3]", 400, { code: "invalid_argument" }],
      ["an empty body", "", 400, { code: "invalid_argument" }],
      [
        "a body over the 4 KiB message limit",
        `{"firstOperand": 2, "secondOperand": 3${" ".repeat(limits.MAX_RECEIVE_MESSAGE_BYTES)}}`,
        429,
        { code: "resource_exhausted" },
      ],
    ])("answers %s with a Connect error body and its HTTP status", async (_name, body, httpStatus, error: object) => {
      const answer = await post(json, body);
      expect(answer.status).toBe(httpStatus);
      expect(answer.headers["content-type"]).toBe("application/json");
      expect(jsonBody(answer)).toMatchObject({ message: expect.any(String) as unknown, ...error });
    });

    it("answers Connect binary (application/proto)", async () => {
      const answer = await post({ "content-type": "application/proto" }, twoPlusThree);
      expect(answer.status).toBe(200);
      expect(answer.headers["content-type"]).toBe("application/proto");
      expect(CalculationResult.decode(answer.body).result).toBe(5);
    });

    it("answers Connect binary that does not decode with INTERNAL (HTTP 500)", async () => {
      const answer = await post({ "content-type": "application/proto" }, Buffer.from([0x0d, 0x00]));
      expect(answer.status).toBe(500);
      expect(jsonBody(answer)).toMatchObject({ code: "internal" });
    });

    it("answers gRPC-Web: the message, then a trailer frame with grpc-status 0", async () => {
      const answer = await post({ "content-type": "application/grpc-web+proto" }, envelope(twoPlusThree));
      expect(answer.status).toBe(200);
      expect(answer.headers["content-type"]).toBe("application/grpc-web+proto");
      expect(grpcWeb(answer)).toMatchObject({ results: [5], status: "0" });
    });

    it("answers a failed gRPC-Web call with its status and message in the trailer frame", async () => {
      const answer = await post({ "content-type": "application/grpc-web" }, envelope(oneOverZero));
      expect(answer.status).toBe(200);
      expect(grpcWeb(answer)).toEqual({
        results: [],
        status: String(status.INVALID_ARGUMENT),
        message: "division by zero: second_operand is 0",
      });
    });

    it.each([
      ["no message", Buffer.alloc(0), status.UNIMPLEMENTED],
      ["two messages", Buffer.concat([envelope(twoPlusThree), envelope(twoPlusThree)]), status.UNIMPLEMENTED],
      // The engine answers a truncated message with calculator.proto's status for it, as on gRPC;
      // connect-es, which reads the envelope itself before the call reaches the pipeline, with its own.
      [
        "a body that ends inside a message",
        envelope(twoPlusThree).subarray(0, 8),
        directPath ? status.INTERNAL : status.INVALID_ARGUMENT,
      ],
      ["a message declared over the 4 KiB limit", Buffer.from([0, 0, 0, 0x20, 0]), status.RESOURCE_EXHAUSTED],
    ])("answers a gRPC-Web call with %s with an error status, without a result", async (_name, body, code) => {
      const answer = await post({ "content-type": "application/grpc-web+proto" }, body);
      expect(grpcWeb(answer)).toMatchObject({ results: [], status: String(code) });
    });

    it("ignores a trailer frame the client sends after its message (gRPC-Web requests have no trailers)", async () => {
      const answer = await post(
        { "content-type": "application/grpc-web+proto" },
        Buffer.concat([envelope(twoPlusThree), envelope(Buffer.from("x-a: b\r\n"), 0x80)]),
      );
      expect(grpcWeb(answer)).toMatchObject({ results: [5], status: "0" });
    });

    it.each([
      ["gRPC-Web text (base64)", "application/grpc-web-text"],
      ["plain text", "text/plain"],
    ])("answers %s with HTTP 415", async (_name, contentType) => {
      const answer = await post({ "content-type": contentType }, "AAAAAAo=");
      expect(answer.status).toBe(415);
    });

    it("answers an unknown path with HTTP 404", async () => {
      const answer = await send(server.port, { path: "/Calculator/Nope", headers: json, body: "{}" });
      expect(answer.status).toBe(404);
    });

    it("answers Connect's GET (calculator.proto marks Calculate NO_SIDE_EFFECTS), cacheable", async () => {
      const message = encodeURIComponent('{"firstOperand":2,"secondOperand":3}');
      const answer = await send(server.port, {
        method: "GET",
        path: `/Calculator/Calculate?connect=v1&encoding=json&message=${message}`,
      });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body.toString())).toEqual({ result: 5 });
      // Its answers may be kept by a CDN (the engine's web/cache-policy.ts).
      expect(answer.headers["cache-control"]).toBe("public, max-age=300");
    });
  });
});

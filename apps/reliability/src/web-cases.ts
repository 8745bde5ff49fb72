/**
 * Hostile and malformed input for the web protocols (Connect, gRPC-Web, CORS, HTTP/1.1) on the gRPC
 * port, in the hostile-cases.ts table shape: each case sends its input, checks the answer, and
 * `runCase` then checks that 2 + 3 still answers 5.
 */
import net from "node:net";
import http2 from "node:http2";
import { status } from "@grpc/grpc-js";
import { limits } from "@grpc-calculator/server";
import { CalculationResult } from "@grpc-calculator/proto";
import { encodeFrame, requestBody } from "./grpc-frame.js";
import type { CaseResult, HostileCase } from "./hostile-cases.js";
import { authority, type Target } from "./raw-client.js";
import {
  describeWeb,
  webRequestHttp1,
  webRequestHttp2,
  webRequestOnce,
  type WebOutcome,
  type WebRequest,
} from "./web-client.js";

const json = { "content-type": "application/json" };
const grpcWeb = { "content-type": "application/grpc-web+proto" };
const body23 = requestBody(2, 3, 0);

function outcomeResult(outcome: WebOutcome, passed: boolean): CaseResult {
  return { passed, observed: describeWeb(outcome), statuses: [] };
}

/** The Connect error code of a JSON error body, if it is one. */
function connectCode(outcome: WebOutcome): string | undefined {
  if (outcome.kind !== "response") return undefined;
  try {
    return (JSON.parse(outcome.body.toString()) as { code?: string }).code;
  } catch {
    return undefined;
  }
}

/** A Connect call over h2c that must answer `httpStatus` with the Connect error `code` (or the given body). */
function connectCase(
  name: string,
  request: WebRequest,
  httpStatus: number,
  expectation: { code: string } | { body: string },
): HostileCase {
  const expected =
    "code" in expectation
      ? `HTTP ${httpStatus}, Connect error ${expectation.code}`
      : `HTTP ${httpStatus} ${expectation.body}`;
  return {
    kind: "web",
    name,
    expected,
    async run(target) {
      const outcome = await webRequestOnce(target, { headers: json, ...request });
      const matches =
        "code" in expectation
          ? connectCode(outcome) === expectation.code
          : outcome.kind === "response" && outcome.body.toString() === expectation.body;
      return outcomeResult(outcome, outcome.kind === "response" && outcome.httpStatus === httpStatus && matches);
    },
  };
}

/** A gRPC-Web call over h2c that must end with `code` in its trailer frame, with `results`. */
function grpcWebCase(name: string, body: Buffer, code: number, results: number[]): HostileCase {
  return {
    kind: "web",
    name,
    expected: `HTTP 200, gRPC-Web trailer grpc-status ${status[code]}, ${results.length} result(s)`,
    async run(target) {
      const outcome = await webRequestOnce(target, { headers: grpcWeb, body: [body] });
      if (outcome.kind !== "response") return outcomeResult(outcome, false);
      const frames = splitGrpcWeb(outcome.body);
      const passed =
        outcome.httpStatus === 200 &&
        frames.status === String(code) &&
        JSON.stringify(frames.results) === JSON.stringify(results);
      return {
        passed,
        observed: `HTTP ${outcome.httpStatus}, grpc-status ${frames.status ?? "none"}, results [${frames.results.join(", ")}]`,
        statuses: frames.status === undefined ? [] : [Number(frames.status)],
      };
    },
  };
}

/** The results and trailer status of a gRPC-Web response body. */
function splitGrpcWeb(body: Buffer): { results: number[]; status: string | undefined } {
  const results: number[] = [];
  let grpcStatus: string | undefined;
  for (let at = 0; at + 5 <= body.length;) {
    const length = body.readUInt32BE(at + 1);
    const data = body.subarray(at + 5, at + 5 + length);
    if ((body[at] ?? 0) & 0x80) grpcStatus = /grpc-status:\s*(\d+)/i.exec(data.toString())?.[1];
    else results.push(CalculationResult.decode(data).result);
    at += 5 + length;
  }
  return { results, status: grpcStatus };
}

/** Raw bytes on a TCP connection; what came back until the server closed it (or the timeout). */
function tcpExchange(
  target: Target,
  writes: (socket: net.Socket) => void,
  timeoutMs: number,
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.host, port: target.port });
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, timeoutMs);
    socket.on("connect", () => writes(socket));
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
  });
}

const calculate = "/Calculator/Calculate";

export const webCases: readonly HostileCase[] = [
  connectCase("Connect JSON that does not parse", { body: [Buffer.from('{"firstOperand": 2,')] }, 400, {
    code: "invalid_argument",
  }),
  connectCase(
    "Connect JSON of the wrong shape (an operand as an object)",
    { body: [Buffer.from('{"firstOperand": {}}')] },
    400,
    {
      code: "invalid_argument",
    },
  ),
  connectCase(
    "Connect JSON naming an operation the contract lacks",
    { body: [Buffer.from('{"operation": "NOT_AN_OPERATION"}')] },
    400,
    {
      code: "invalid_argument",
    },
  ),
  connectCase(
    "Connect JSON with an operand beyond float32 (1e39)",
    { body: [Buffer.from('{"firstOperand": 1e39}')] },
    400,
    {
      code: "invalid_argument",
    },
  ),
  connectCase(
    "Connect JSON body over the 4 KiB message limit",
    { body: [Buffer.from(`{"firstOperand": 2${" ".repeat(5000)}}`)] },
    429,
    { code: "resource_exhausted" },
  ),
  connectCase(
    "Connect body declaring 1 GiB (content-length) that never comes",
    { headers: { ...json, "content-length": String(2 ** 30) }, body: [Buffer.from("{")], endStream: false },
    429,
    { code: "resource_exhausted" },
  ),
  connectCase(
    "Connect JSON followed by HTTP/2 trailers the client sends",
    { body: [Buffer.from('{"firstOperand": 2, "secondOperand": 3}')], trailers: { "x-trailer": "1" } },
    200,
    { body: '{"result":5}' },
  ),
  connectCase(
    "Connect call whose body is still arriving at its connect-timeout-ms",
    { headers: { ...json, "connect-timeout-ms": "150" }, body: [Buffer.from("{")], endStream: false },
    504,
    { code: "deadline_exceeded" },
  ),
  connectCase(
    "Connect with an invalid connect-timeout-ms",
    { headers: { ...json, "connect-timeout-ms": "soon" }, body: [Buffer.from("{}")] },
    400,
    {
      code: "invalid_argument",
    },
  ),
  grpcWebCase(
    "gRPC-Web message followed by a trailer frame from the client (skipped)",
    Buffer.concat([encodeFrame(body23), Buffer.from([0x80, 0, 0, 0, 0])]),
    status.OK,
    [5],
  ),
  grpcWebCase(
    "gRPC-Web message declared 2 GiB",
    encodeFrame(body23, { declaredLength: 0x7fffffff }),
    status.RESOURCE_EXHAUSTED,
    [],
  ),
  grpcWebCase(
    "gRPC-Web with two messages on a unary call",
    Buffer.concat([encodeFrame(body23), encodeFrame(body23)]),
    status.UNIMPLEMENTED,
    [],
  ),
  {
    kind: "web",
    name: "gRPC-Web text (base64), which is not served",
    expected: "HTTP 415",
    async run(target) {
      const outcome = await webRequestOnce(target, {
        headers: { "content-type": "application/grpc-web-text" },
        body: [Buffer.from(encodeFrame(body23).toString("base64"))],
      });
      return outcomeResult(outcome, outcome.kind === "response" && outcome.httpStatus === 415);
    },
  },
  {
    kind: "web",
    name: "HTTP/1.1 request smuggling: Content-Length with Transfer-Encoding",
    expected: "HTTP/1.1 400, the smuggled request never served, the connection closed",
    async run(target) {
      const smuggled = `POST ${calculate} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`;
      const { text, closed } = await tcpExchange(
        target,
        (socket) =>
          socket.write(
            `POST ${calculate} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\n` +
              `Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
          ),
        5000,
      );
      const passed = closed && text.startsWith("HTTP/1.1 400 ") && !text.includes('"result"');
      return { passed, observed: `${closed ? "closed" : "left open"}: ${text.split("\r\n")[0] ?? ""}`, statuses: [] };
    },
  },
  {
    kind: "web",
    name: "a Connect JSON call over HTTP/1.1 (curl's default)",
    expected: 'HTTP 200 {"result":5}',
    async run(target) {
      const outcome = await webRequestHttp1(target, {
        headers: json,
        body: [Buffer.from('{"firstOperand": 2, "secondOperand": 3}')],
      });
      return outcomeResult(outcome, outcome.kind === "response" && outcome.body.toString() === '{"result":5}');
    },
  },
  {
    kind: "web",
    name: "a flood of 1000 CORS preflights on one HTTP/2 connection",
    expected: "every preflight answered (403: no origin is admitted by default), none hangs",
    async run(target) {
      const session = http2.connect(authority(target));
      session.on("error", () => undefined);
      const preflight = { origin: "https://evil.example", "access-control-request-method": "POST" };
      const outcomes: WebOutcome[] = [];
      try {
        for (let batch = 0; batch < 10; batch += 1) {
          outcomes.push(
            ...(await Promise.all(
              Array.from({ length: 100 }, () => webRequestHttp2(session, { method: "OPTIONS", headers: preflight })),
            )),
          );
        }
      } finally {
        session.close();
      }
      const answered = outcomes.filter((outcome) => outcome.kind === "response" && outcome.httpStatus === 403).length;
      return {
        passed: answered === outcomes.length,
        observed: `${answered} of ${outcomes.length} answered 403`,
        statuses: [],
      };
    },
  },
];

const { HTTP1_REQUEST_TIMEOUT_MS } = limits;

/**
 * Cases that take as long as a production limit: run by the reliability suite only (the e2e suite
 * runs the quick table).
 */
export const slowWebCases: readonly HostileCase[] = [
  {
    kind: "web",
    name: "a slow HTTP/1.1 body: one byte a second, never complete",
    expected: `HTTP/1.1 408 within the ${HTTP1_REQUEST_TIMEOUT_MS / 1000} s request timeout, the connection closed`,
    async run(target) {
      const started = Date.now();
      const { text, closed } = await tcpExchange(
        target,
        (socket) => {
          socket.write(
            `POST ${calculate} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`,
          );
          const drip = setInterval(() => socket.write(" "), 1000);
          socket.on("close", () => clearInterval(drip));
        },
        HTTP1_REQUEST_TIMEOUT_MS + 10_000,
      );
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const passed = closed && text.startsWith("HTTP/1.1 408 ");
      return {
        passed,
        observed: `${text.split("\r\n")[0] || "nothing"} after ${seconds} s, ${closed ? "closed" : "left open"}`,
        statuses: [],
      };
    },
  },
];

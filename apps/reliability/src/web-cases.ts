/**
 * Hostile and malformed input for the web protocols (Connect, gRPC-Web, CORS, HTTP/1.1) on the gRPC
 * port, unary and streaming (`CalculateStream`), in the hostile-cases.ts table shape: each case sends
 * its input, checks the answer, and `runCase` then checks that 2 + 3 still answers 5. Every case
 * speaks only to a host and port, so the e2e suite runs the same table against the container.
 */
import net from "node:net";
import http2 from "node:http2";
import { status } from "@grpc/grpc-js";
import { limits } from "@grpc-calculator/server";
import { BinaryOperation, CalculationResult, CalculatorService, Operation } from "@grpc-calculator/proto";
import { encodeFrame, requestBody } from "./grpc-frame.js";
import type { CaseResult, HostileCase } from "./hostile-cases.js";
import { restCases } from "./rest-cases.js";
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

/**
 * A gRPC-Web call over h2c that must end with `code` in its trailer frame, with `results` before it, and
 * (when given) exactly `message` as its grpc-message.
 */
function grpcWebCase(
  name: string,
  body: Buffer,
  code: number,
  results: number[],
  options: Pick<WebRequest, "path" | "endStream"> & { readonly message?: string } = {},
): HostileCase {
  const { message, ...request } = options;
  return {
    kind: "web",
    name,
    expected:
      `HTTP 200, gRPC-Web trailer grpc-status ${status[code]}` +
      `${message === undefined ? "" : ` "${message}"`}, ${results.length} result(s) [${results.join(", ")}]`,
    async run(target) {
      const outcome = await webRequestOnce(target, { ...request, headers: grpcWeb, body: [body] });
      if (outcome.kind !== "response") return outcomeResult(outcome, false);
      const frames = splitGrpcWeb(outcome.body);
      const passed =
        outcome.httpStatus === 200 &&
        frames.status === String(code) &&
        (message === undefined || frames.message === message) &&
        JSON.stringify(frames.results) === JSON.stringify(results);
      return {
        passed,
        observed:
          `HTTP ${outcome.httpStatus}, grpc-status ${frames.status ?? "none"}` +
          `${frames.message === undefined ? "" : ` "${frames.message}"`}, results [${frames.results.join(", ")}]`,
        statuses: frames.status === undefined ? [] : [Number(frames.status)],
      };
    },
  };
}

/** One envelope of a Connect streaming or gRPC-Web body: its flags byte and its message. */
interface Envelope {
  readonly flags: number;
  readonly data: Buffer;
}

/** A body's envelopes (the 5-byte prefix both protocols share); a truncated tail is left out. */
function envelopesOf(body: Buffer): Envelope[] {
  const envelopes: Envelope[] = [];
  for (let at = 0; at + 5 <= body.length;) {
    const length = body.readUInt32BE(at + 1);
    envelopes.push({ flags: body[at] ?? 0, data: body.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return envelopes;
}

/** The results and trailer status and message of a gRPC-Web response body. */
function splitGrpcWeb(body: Buffer): {
  results: number[];
  status: string | undefined;
  message: string | undefined;
} {
  const results: number[] = [];
  let grpcStatus: string | undefined;
  let grpcMessage: string | undefined;
  for (const { flags, data } of envelopesOf(body)) {
    if (flags & 0x80) {
      const trailer = data.toString();
      grpcStatus = /grpc-status:\s*(\d+)/i.exec(trailer)?.[1];
      const message = /grpc-message:\s*([^\r\n]*)/i.exec(trailer)?.[1];
      grpcMessage = message === undefined ? undefined : decodeURIComponent(message);
    } else results.push(CalculationResult.decode(data).result);
  }
  return { results, status: grpcStatus, message: grpcMessage };
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

const calculateStream = CalculatorService.calculateStream.path;
const { MAX_RECEIVE_MESSAGE_BYTES } = limits;
/** Connect's end-stream flag: only the server may send it (on its last envelope). */
const END_STREAM = 0x02;

/** A Connect streaming codec: its content type, a request message and a result message. */
interface StreamFormat {
  readonly name: "proto" | "json";
  readonly contentType: string;
  readonly request: (first: number, second: number, operation: Operation) => Buffer;
  readonly result: (data: Buffer) => number;
}

const protoStream: StreamFormat = {
  name: "proto",
  contentType: "application/connect+proto",
  request: requestBody,
  result: (data) => CalculationResult.decode(data).result,
};

const jsonStream: StreamFormat = {
  name: "json",
  contentType: "application/connect+json",
  request: (firstOperand, secondOperand, operation) =>
    Buffer.from(JSON.stringify(BinaryOperation.toJSON({ firstOperand, secondOperand, operation }))),
  result: (data) => CalculationResult.fromJSON(JSON.parse(data.toString())).result,
};

/** What a Connect stream's end-stream message must carry: an error code and its message, exact or its start. */
type StreamEnd =
  { readonly code: string; readonly message: string } | { readonly code: string; readonly messageStart: string };

/**
 * A Connect streaming call of CalculateStream over h2c that must answer HTTP 200 with `results`, each in
 * its own envelope, then one end-stream envelope (flags 0x02) carrying `end`'s error, and nothing after.
 */
function connectStreamCase(
  name: string,
  format: StreamFormat,
  request: Pick<WebRequest, "body" | "endStream">,
  results: readonly number[],
  end: StreamEnd,
): HostileCase {
  const says = "message" in end ? `"${end.message}"` : `"${end.messageStart}…"`;
  return {
    kind: "web",
    name: `Connect stream (${format.name}): ${name}`,
    expected: `HTTP 200, results [${results.join(", ")}], then the end-stream error ${end.code} ${says}`,
    async run(target) {
      const outcome = await webRequestOnce(target, {
        path: calculateStream,
        headers: { "content-type": format.contentType },
        ...request,
      });
      if (outcome.kind !== "response") return outcomeResult(outcome, false);
      const envelopes = envelopesOf(outcome.body);
      const last = envelopes.at(-1);
      const messages = envelopes.slice(0, -1);
      let got: number[] | undefined;
      let error: { code?: string; message?: string } | undefined;
      try {
        got = messages.every((m) => m.flags === 0) ? messages.map((m) => format.result(m.data)) : undefined;
        error =
          last?.flags === END_STREAM ? (JSON.parse(last.data.toString()) as { error?: typeof error }).error : undefined;
      } catch {
        got = undefined;
      }
      const message = error?.message ?? "";
      const passed =
        outcome.httpStatus === 200 &&
        got !== undefined &&
        JSON.stringify(got) === JSON.stringify(results) &&
        error?.code === end.code &&
        ("message" in end ? message === end.message : message.startsWith(end.messageStart));
      return {
        passed,
        observed:
          `HTTP ${outcome.httpStatus}, results [${got?.join(", ") ?? "unreadable"}], ` +
          `end-stream ${last?.flags === END_STREAM ? last.data.toString() : "missing"}`,
        statuses: [],
      };
    },
  };
}

/** How long a streaming call over HTTP/1.1 may take to be refused: far below any HTTP/1.1 timeout. */
const HTTP1_STREAM_REFUSAL_MS = 2000;

/**
 * CalculateStream over HTTP/1.1 with the request body left open, as a streaming client sends it: the
 * server must refuse it (HTTP 505: the call needs HTTP/2) at once and close the connection, not wait for a
 * body that never ends.
 */
function http1StreamCase(name: string, contentType: string, message: Buffer): HostileCase {
  return {
    kind: "web",
    name,
    expected: `HTTP/1.1 505 within ${HTTP1_STREAM_REFUSAL_MS} ms, the request body still open, the connection closed`,
    async run(target) {
      const started = Date.now();
      const { text, closed } = await tcpExchange(
        target,
        (socket) =>
          socket.write(
            Buffer.concat([
              Buffer.from(
                `POST ${calculateStream} HTTP/1.1\r\nHost: x\r\nContent-Type: ${contentType}\r\n` +
                  `Transfer-Encoding: chunked\r\n\r\n${message.length.toString(16)}\r\n`,
                "latin1",
              ),
              message,
              Buffer.from("\r\n", "latin1"),
            ]),
          ),
        HTTP1_STREAM_REFUSAL_MS + 3000,
      );
      const ms = Date.now() - started;
      return {
        passed: closed && text.startsWith("HTTP/1.1 505 ") && ms < HTTP1_STREAM_REFUSAL_MS,
        observed: `${text.split("\r\n")[0] || "nothing"} after ${ms} ms, ${closed ? "closed" : "left open"}`,
        statuses: [],
      };
    },
  };
}

/** The stream cases' messages: 2 + 3 (result 5) first, then the message under test (index 1). */
const streamCases: readonly HostileCase[] = [
  ...[protoStream, jsonStream].flatMap((format) => {
    const first = encodeFrame(format.request(2, 3, Operation.ADD));
    const second = encodeFrame(format.request(1, 2, Operation.ADD));
    return [
      // calculator.proto: request bytes that end inside a message get INTERNAL, as on gRPC (same message).
      connectStreamCase(
        "the body ends inside the second message",
        format,
        { body: [Buffer.concat([first, second.subarray(0, second.length - 3)])] },
        [5],
        { code: "internal", message: "operation 1: the request ended inside a message" },
      ),
      // Refused from the declared length, with the body still open: the server must not wait for the
      // 4 KiB it will not read. Both envelopes in one write (one DATA frame).
      connectStreamCase(
        `the second envelope declares ${MAX_RECEIVE_MESSAGE_BYTES + 1} bytes (over the ${MAX_RECEIVE_MESSAGE_BYTES / 1024} KiB limit)`,
        format,
        {
          body: [Buffer.concat([first, encodeFrame(second, { declaredLength: MAX_RECEIVE_MESSAGE_BYTES + 1 })])],
          endStream: false,
        },
        [5],
        {
          code: "resource_exhausted",
          message: `operation 1: received message larger than max (${MAX_RECEIVE_MESSAGE_BYTES + 1} vs. ${MAX_RECEIVE_MESSAGE_BYTES})`,
        },
      ),
      // Connect's protocol: "Request streams must always leave this bit unset". A protocol error, not
      // the end of the requests: the message after it must not be answered.
      connectStreamCase(
        "the client sends an end-stream envelope (flag 0x02), then another message",
        format,
        { body: [Buffer.concat([first, encodeFrame(Buffer.from("{}"), { flags: END_STREAM }), second])] },
        [5],
        { code: "internal", message: "operation 1: a request message with flags 0x02, which a client may not send" },
      ),
      connectStreamCase(
        "the second request divides by zero",
        format,
        { body: [first, encodeFrame(format.request(1, 0, Operation.DIVIDE)), second] },
        [5],
        { code: "invalid_argument", message: "operation 1: division by zero: second_operand is 0" },
      ),
      http1StreamCase(
        `Connect stream (${format.name}) over HTTP/1.1, which cannot carry a bidi call`,
        format.contentType,
        first,
      ),
    ];
  }),
  // The JSON parser's own words follow (they differ between Node versions): the start is checked.
  connectStreamCase(
    "the second message is JSON that does not parse",
    jsonStream,
    {
      body: [
        Buffer.concat([
          encodeFrame(jsonStream.request(2, 3, Operation.ADD)),
          encodeFrame(Buffer.from('{"firstOperand": 2,')),
        ]),
      ],
    },
    [5],
    { code: "invalid_argument", messageStart: "operation 1: cannot decode message BinaryOperation from JSON: " },
  ),
  grpcWebCase(
    "gRPC-Web stream whose body ends inside the second message",
    Buffer.concat([encodeFrame(body23), encodeFrame(requestBody(1, 2, Operation.ADD)).subarray(0, 12)]),
    status.INTERNAL,
    [5],
    { path: calculateStream, message: "operation 1: the request ended inside a message" },
  ),
  grpcWebCase(
    `gRPC-Web stream whose second envelope declares ${MAX_RECEIVE_MESSAGE_BYTES + 1} bytes, the body left open`,
    Buffer.concat([encodeFrame(body23), encodeFrame(body23, { declaredLength: MAX_RECEIVE_MESSAGE_BYTES + 1 })]),
    status.RESOURCE_EXHAUSTED,
    [5],
    {
      path: calculateStream,
      message: `operation 1: received message larger than max (${MAX_RECEIVE_MESSAGE_BYTES + 1} vs. ${MAX_RECEIVE_MESSAGE_BYTES})`,
      endStream: false,
    },
  ),
  http1StreamCase(
    "gRPC-Web stream over HTTP/1.1, which cannot carry a bidi call",
    grpcWeb["content-type"],
    encodeFrame(body23),
  ),
];

export const webCases: readonly HostileCase[] = [
  ...restCases,
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
  ...streamCases,
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
